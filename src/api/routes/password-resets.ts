import Router from '@koa/router';
import type { ApiDeps } from '../deps.js';

export function passwordResetRoutes(_deps: ApiDeps): Router {
  return new Router();
}
