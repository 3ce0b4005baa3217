import Router from '@koa/router';
import type { ApiDeps } from '../deps.js';
import { createReadinessCheck } from '../readiness.js';

/** Liveness, readiness (Temporal reachable, every lane polled) and Prometheus metrics; no API key. */
export function healthRoutes(deps: ApiDeps): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  const readiness = createReadinessCheck(deps);
  router.get('/readyz', async (ctx) => {
    const { ready, ...detail } = await readiness();
    if (!ready) {
      ctx.status = 503;
      ctx.set('Retry-After', '5');
    }
    ctx.body = { status: ready ? 'ready' : 'not_ready', ...detail };
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  return router;
}
