import Koa from 'koa';
import type { ApiDeps } from './deps.js';
import { errorHandler } from './middleware/error-handler.js';
import { requestMetrics } from './middleware/request-metrics.js';
import { webhookAdmission } from './middleware/webhook-admission.js';
import { codecRoutes } from './routes/codec.js';
import { healthRoutes } from './routes/health.js';
import { passwordResetRoutes } from './routes/password-resets.js';
import { videoRoutes } from './routes/videos.js';
import { webhookRoutes } from './routes/webhooks.js';

/**
 * Builds the Koa app from its dependencies; server.ts starts it, tests drive app.callback().
 * Order: metrics (sees the final status) → error handler → routes (each router reads its own body: webhooks need the
 * raw bytes for signatures) → allowedMethods.
 */
export function createApp(deps: ApiDeps): Koa {
  const app = new Koa();
  app.proxy = false;
  app.use(requestMetrics({ metrics: deps.metrics }));
  app.use(errorHandler({ log: deps.log }));
  // Webhook intake only: sheds above a latency-following limit (503 + Retry-After); resets pass.
  const { admission } = deps.config.webhooks;
  if (admission.enabled) app.use(webhookAdmission({ ...admission, metrics: deps.metrics }));
  for (const router of [
    healthRoutes(deps),
    webhookRoutes(deps),
    videoRoutes(deps),
    passwordResetRoutes(deps),
    codecRoutes(deps),
  ]) {
    app.use(router.routes());
    app.use(router.allowedMethods({ throw: false }));
  }
  return app;
}
