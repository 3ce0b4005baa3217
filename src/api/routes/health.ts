import Router from '@koa/router';
import type { ApiDeps } from '../deps.js';

/** Liveness, readiness (Temporal reachable) and Prometheus metrics; no API key. */
export function healthRoutes(deps: ApiDeps): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    try {
      // Bounded twice: a deadline for a server that does not answer, and the client's short
      // retry budget for one that refuses connections (src/temporal/client.ts).
      await deps.client.withDeadline(Date.now() + 2_000, () => deps.client.workflowService.getSystemInfo({}));
      ctx.body = { status: 'ready', temporal: 'reachable' };
    } catch (err) {
      deps.log.warn({ err: String(err) }, 'readiness check: Temporal unreachable');
      ctx.status = 503;
      ctx.set('Retry-After', '5');
      ctx.body = { status: 'not_ready', temporal: 'unreachable' };
    }
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  return router;
}
