import { outputUrl } from '../../activities/video/replicate-client.js';
import { isProviderStatus, isValidVideoId } from '../../shared/video-job.js';
import { asObject, invalidField, optionalString, requiredString } from './fields.js';
import { StandardWebhooksVerifier } from './standard-webhooks-signature.js';
import { single, type WebhookAdapter } from './webhook-adapter.js';

/**
 * Replicate: Standard Webhooks signatures and the prediction object as body. The video id is
 * the `videoId` parameter Floodgate put on the webhook URL, else the prediction id (a job
 * submitted elsewhere, adopted); the event id is `webhook-id`.
 */
export function replicateAdapter(opts: { secrets: readonly string[]; toleranceMs: number }): WebhookAdapter {
  const verifier = new StandardWebhooksVerifier(opts.secrets, opts.toleranceMs);
  return {
    source: 'replicate',
    verify(delivery, nowMs) {
      verifier.verify(
        delivery.rawBody,
        {
          id: single(delivery.headers['webhook-id']),
          timestamp: single(delivery.headers['webhook-timestamp']),
          signature: single(delivery.headers['webhook-signature']),
        },
        nowMs,
      );
    },
    normalize(body, delivery) {
      const prediction = asObject(body, 'body');
      const predictionId = requiredString(prediction, 'id');
      const status = requiredString(prediction, 'status');
      if (!isProviderStatus(status))
        throw invalidField('status', `"${status.slice(0, 40)}" is not a prediction status`);

      const videoParam = single(delivery.query.videoId);
      const videoId = videoParam ?? predictionId;
      if (!isValidVideoId(videoId))
        throw invalidField(videoParam ? 'videoId' : 'id', 'is not a valid video id');
      const tenantParam = single(delivery.query.tenantId);
      if (tenantParam !== undefined && !isValidVideoId(tenantParam))
        throw invalidField('tenantId', 'is not a valid id');

      const downloadUrl = status === 'succeeded' ? outputUrl(prediction.output) : undefined;
      const error = prediction.error == null ? undefined : String(prediction.error).slice(0, 500);
      const occurredAt =
        optionalString(prediction, 'completed_at') ??
        optionalString(prediction, 'started_at') ??
        optionalString(prediction, 'created_at');
      return {
        tenantId: tenantParam ?? 'unknown',
        plan: 'free',
        event: {
          eventId: single(delivery.headers['webhook-id'])!,
          videoId,
          status,
          providerJobId: predictionId,
          occurredAt: occurredAt ?? new Date().toISOString(),
          ...(downloadUrl && { downloadUrl }),
          ...(error && { error }),
        },
      };
    },
  };
}
