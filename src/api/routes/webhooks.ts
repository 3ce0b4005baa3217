import Router from '@koa/router';
import type { ApiDeps } from '../deps.js';

export function webhookRoutes(_deps: ApiDeps): Router {
  return new Router();
}
