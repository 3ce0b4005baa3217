import type { Middleware } from 'koa';
import type { ApiMetrics } from '../metrics.js';

/** Counts every request by its route template (not the raw path, to keep label cardinality low). */
export function requestMetrics(opts: { metrics: ApiMetrics }): Middleware {
  return async function countRequests(ctx, next) {
    try {
      await next();
    } finally {
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      opts.metrics.httpRequests.inc({ method: ctx.method, route: String(route), status: String(ctx.status) });
    }
  };
}
