import Router from '@koa/router';
import type { ApiDeps } from '../deps.js';

export function videoRoutes(_deps: ApiDeps): Router {
  return new Router();
}
