import Router from '@koa/router';
import type { ApiDeps } from '../deps.js';
import { AppError, NotFoundError, OverBudgetError } from '../errors.js';
import { parseJson, readRawBody, requireJsonContentType } from '../middleware/json-body.js';
import { headersKeepingRepeats } from '../raw-headers.js';
import { createWebhookAdapters } from '../webhooks/adapters.js';
import { deliverEvent } from '../webhooks/deliver-event.js';
import { RecentEventIds } from '../webhooks/recent-event-ids.js';
import type { WebhookDelivery } from '../webhooks/webhook-adapter.js';

/** Why a delivery was refused, for the outcome counter. */
const REJECTION_BY_STATUS: Record<number, string> = {
  400: 'rejected_invalid',
  401: 'rejected_signature',
  403: 'rejected_url_token',
  404: 'rejected_unknown_source',
  413: 'rejected_too_large',
  415: 'rejected_media_type',
  503: 'unavailable',
};

/**
 * `POST /webhooks/:source`, in the order a security review expects: unknown source (404) →
 * not JSON (415) → too large, counted while streaming (413) → signature and timestamp on the
 * raw bytes (401) → the URL's per-video token (401 missing, 403 another video's) → parse and validate (400) → durable hand-off to the job (202/200, or 503).
 */
export function webhookRoutes(deps: ApiDeps): Router {
  const adapters = createWebhookAdapters(deps.config);
  const acked = new RecentEventIds();
  const { webhooks: outcomes, webhookAckSeconds } = deps.metrics;
  const router = new Router();

  router.post('/webhooks/:source', async (ctx) => {
    const adapter = adapters.get(ctx.params.source ?? '');
    const source = adapter?.source ?? 'unknown';
    const stopTimer = webhookAckSeconds.startTimer({ source });
    try {
      if (!adapter) throw new NotFoundError('unknown webhook source', 'unknown_source');
      requireJsonContentType(ctx);
      const delivery: WebhookDelivery = {
        rawBody: await readRawBody(ctx, deps.config.webhooks.bodyLimitBytes),
        // Repeated signature headers must be seen as such, not as Node's joined value.
        headers: headersKeepingRepeats(ctx.req),
        query: ctx.query,
      };
      adapter.verify(delivery, Date.now());
      const webhook = adapter.normalize(parseJson(delivery.rawBody), delivery);

      const key = `${source}:${webhook.event.eventId}`;
      if (acked.has(key)) {
        outcomes.inc({ source, outcome: 'duplicate' });
        ctx.status = 200;
        ctx.body = { result: 'duplicate' };
        return;
      }
      const outcome = await deliverEvent(deps, source, webhook);
      acked.add(key);
      outcomes.inc({ source, outcome });
      ctx.status = outcome === 'accepted' ? 202 : 200;
      ctx.body = { result: outcome, videoId: webhook.event.videoId };
    } catch (err) {
      const status = err instanceof AppError ? err.status : 500;
      const outcome =
        err instanceof OverBudgetError ? 'over_budget' : (REJECTION_BY_STATUS[status] ?? 'error');
      outcomes.inc({ source, outcome });
      throw err;
    } finally {
      stopTimer();
    }
  });
  return router;
}
