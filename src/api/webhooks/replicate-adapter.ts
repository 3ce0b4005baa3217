import { outputUrl } from '../../activities/video/replicate-client.js';
import { isProviderStatus, isValidVideoId } from '../../shared/video-job.js';
import { FIELD_LIMITS } from '../field-limits.js';
import {
  asObject,
  bounded,
  invalidField,
  optionalHttpUrl,
  optionalString,
  optionalTimestamp,
  requiredString,
  singleValue,
} from './fields.js';
import { StandardWebhooksVerifier } from './standard-webhooks-signature.js';
import { verifiedUrlRoute } from './url-route.js';
import type { WebhookAdapter, WebhookDelivery } from './webhook-adapter.js';
import type { UrlTokenKey } from './webhook-url-token.js';

/** Printable ASCII without spaces: what a message id needs, and nothing a log or UI must escape. */
const WEBHOOK_ID = /^[\x21-\x7e]+$/;

/**
 * The signature headers, bounded before any HMAC runs over them. Absent ones are left to the
 * verifier (401); present but oversized, repeated or outside the alphabet is a 400.
 */
function signatureHeaders(delivery: WebhookDelivery) {
  const id = singleValue(delivery.headers['webhook-id'], 'webhook-id');
  if (id !== undefined) {
    bounded(id, 'webhook-id', FIELD_LIMITS.webhookId);
    if (id && !WEBHOOK_ID.test(id))
      throw invalidField('webhook-id', 'must be printable ASCII without spaces');
  }
  const timestamp = singleValue(delivery.headers['webhook-timestamp'], 'webhook-timestamp');
  const signature = singleValue(delivery.headers['webhook-signature'], 'webhook-signature');
  if (signature !== undefined) bounded(signature, 'webhook-signature', FIELD_LIMITS.webhookSignature);
  return { id, timestamp, signature };
}

/**
 * Replicate: Standard Webhooks signatures and the prediction object as body. The video and
 * tenant are the `videoId` and `tenantId` of the URL Floodgate issued, checked against its
 * `token` after the signature (src/api/webhooks/url-route.ts); the event id is `webhook-id`.
 */
export function replicateAdapter(opts: {
  secrets: readonly string[];
  toleranceMs: number;
  urlTokenKeys: readonly UrlTokenKey[];
}): WebhookAdapter {
  const verifier = new StandardWebhooksVerifier(opts.secrets, opts.toleranceMs);
  return {
    source: 'replicate',
    verify(delivery, nowMs) {
      verifier.verify(delivery.rawBody, signatureHeaders(delivery), nowMs);
      verifiedUrlRoute(delivery, opts.urlTokenKeys);
    },
    normalize(body, delivery) {
      const prediction = asObject(body, 'body');
      const predictionId = requiredString(prediction, 'id', FIELD_LIMITS.id);
      // The prediction id goes into the provider's status URL when the job polls.
      if (!isValidVideoId(predictionId)) throw invalidField('id', 'must match [A-Za-z0-9_-]{1,128}');
      const status = requiredString(prediction, 'status', FIELD_LIMITS.status);
      if (!isProviderStatus(status)) throw invalidField('status', `"${status}" is not a prediction status`);

      const downloadUrl =
        status === 'succeeded' ? optionalHttpUrl(outputUrl(prediction.output), 'output') : undefined;
      const error = optionalString(prediction, 'error', FIELD_LIMITS.errorText);
      const occurredAt =
        optionalTimestamp(prediction, 'completed_at') ??
        optionalTimestamp(prediction, 'started_at') ??
        optionalTimestamp(prediction, 'created_at');
      // Checked in verify already; read again here so normalize never trusts an unchecked URL.
      const { videoId, tenantId } = verifiedUrlRoute(delivery, opts.urlTokenKeys);
      return {
        tenantId,
        plan: 'free',
        event: {
          eventId: signatureHeaders(delivery).id!,
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
