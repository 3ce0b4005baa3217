import type { Middleware } from 'koa';
import { AdaptiveLimit, type AdaptiveLimitOptions } from '../admission/adaptive-limit.js';
import { UnavailableError } from '../errors.js';
import type { ApiMetrics } from '../metrics.js';

export interface WebhookAdmissionOptions extends AdaptiveLimitOptions {
  metrics: ApiMetrics;
}

/**
 * Admission control for `POST /webhooks/*` only: above a concurrency limit that adapts to ack
 * latency, a webhook is answered 503 with Retry-After at once, so senders retry later instead of
 * queueing in front of the Temporal server that password resets also need. Every other route —
 * password resets above all — passes untouched.
 */
export function webhookAdmission(opts: WebhookAdmissionOptions): Middleware {
  const limit = new AdaptiveLimit(opts);
  const { admissionLimit, admissionInFlight, admissionRejected } = opts.metrics;
  admissionLimit.set(limit.limit);
  return async function admitWebhook(ctx, next) {
    if (ctx.method !== 'POST' || !ctx.path.startsWith('/webhooks/')) return next();
    if (!limit.tryAcquire()) {
      admissionRejected.inc();
      throw new UnavailableError('too many webhooks in flight; retry later', 1);
    }
    admissionInFlight.set(limit.inFlight);
    const started = performance.now();
    let ok = false;
    try {
      await next();
      ok = ctx.status < 500;
    } finally {
      limit.release(performance.now() - started, ok);
      admissionLimit.set(limit.limit);
      admissionInFlight.set(limit.inFlight);
    }
  };
}
