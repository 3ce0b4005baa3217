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
      // Bounded: the client retries an unreachable server for many seconds, and a probe that
      // hangs is as bad as a failed one.
      await withTimeout(deps.client.workflowService.getSystemInfo({}), 2_000);
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

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
