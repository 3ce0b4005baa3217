import { createHash } from 'node:crypto';
import { isProviderStatus, isValidVideoId, type ProviderStatus } from '../../shared/video-job.js';
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
import { verifyHexHmac, verifyTimedHexHmac } from './hmac-signature.js';
import type { WebhookAdapter } from './webhook-adapter.js';

/** The original design's status words, mapped onto the provider statuses. */
const STATUS_ALIASES: Record<string, ProviderStatus> = {
  queued: 'starting',
  pending: 'starting',
  completed: 'succeeded',
  error: 'failed',
};

/** Printable ASCII without spaces, like a Standard Webhooks message id. */
const EVENT_ID = /^[\x21-\x7e]+$/;

/**
 * The original design's webhook: hex HMAC-SHA256 in `X-Signature`, body `{video_id, status,
 * download_url, metadata}`. The event id is `event_id` when sent, else a hash of the raw body
 * (a byte-identical redelivery is then recognised as the same event). The signature covers
 * `X-Signature-Timestamp` too; the body-only form is accepted only with `legacyUntimed`, and
 * then only from a sender that sends no timestamp.
 */
export function genericAdapter(opts: {
  secrets: readonly string[];
  toleranceMs: number;
  legacyUntimed: boolean;
}): WebhookAdapter {
  return {
    source: 'generic',
    verify(delivery, nowMs) {
      const signature = singleValue(delivery.headers['x-signature'], 'x-signature');
      if (signature !== undefined) bounded(signature, 'x-signature', FIELD_LIMITS.xSignature);
      const timestamp = singleValue(delivery.headers['x-signature-timestamp'], 'x-signature-timestamp');
      if (timestamp === undefined && opts.legacyUntimed) {
        verifyHexHmac(delivery.rawBody, signature, opts.secrets);
        return;
      }
      verifyTimedHexHmac(delivery.rawBody, { signature, timestamp }, opts.secrets, opts.toleranceMs, nowMs);
    },
    normalize(body, delivery) {
      const obj = asObject(body, 'body');
      const videoId = requiredString(obj, 'video_id', FIELD_LIMITS.id);
      if (!isValidVideoId(videoId)) throw invalidField('video_id', 'must match [A-Za-z0-9_-]{1,128}');
      const rawStatus = requiredString(obj, 'status', FIELD_LIMITS.status).toLowerCase();
      const status = STATUS_ALIASES[rawStatus] ?? rawStatus;
      if (!isProviderStatus(status)) throw invalidField('status', `"${rawStatus}" is not a known status`);
      const downloadUrl = optionalHttpUrl(
        optionalString(obj, 'download_url', FIELD_LIMITS.url),
        'download_url',
      );
      const metadata =
        obj.metadata === undefined || obj.metadata === null ? {} : asObject(obj.metadata, 'metadata');
      const tenantId =
        optionalString(metadata, 'tenant_id', FIELD_LIMITS.id, 'metadata.tenant_id') ?? 'unknown';
      if (!isValidVideoId(tenantId))
        throw invalidField('metadata.tenant_id', 'must match [A-Za-z0-9_-]{1,128}');
      const error =
        optionalString(obj, 'error', FIELD_LIMITS.errorText) ??
        optionalString(metadata, 'error', FIELD_LIMITS.errorText, 'metadata.error');
      const sizeBytes = metadata.size_bytes;
      if (sizeBytes !== undefined && !(Number.isSafeInteger(sizeBytes) && (sizeBytes as number) > 0)) {
        throw invalidField('metadata.size_bytes', 'must be a positive integer');
      }
      const checksum = optionalString(metadata, 'sha256', 64, 'metadata.sha256');
      if (checksum !== undefined && !/^[0-9a-f]{64}$/i.test(checksum)) {
        throw invalidField('metadata.sha256', 'must be 64 hex characters');
      }
      const sentEventId = optionalString(obj, 'event_id', FIELD_LIMITS.eventId);
      if (sentEventId !== undefined && !EVENT_ID.test(sentEventId))
        throw invalidField('event_id', 'must be printable ASCII without spaces');
      const eventId = sentEventId ?? `sha256:${createHash('sha256').update(delivery.rawBody).digest('hex')}`;
      return {
        tenantId,
        plan: metadata.plan === 'paid' ? 'paid' : 'free',
        event: {
          eventId,
          videoId,
          status,
          occurredAt: optionalTimestamp(obj, 'occurred_at') ?? new Date().toISOString(),
          ...(downloadUrl && { downloadUrl }),
          ...(error && { error }),
          ...(sizeBytes !== undefined && { sizeBytes: sizeBytes as number }),
          ...(checksum && { checksumSha256: checksum.toLowerCase() }),
        },
      };
    },
  };
}
