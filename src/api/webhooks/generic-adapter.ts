import { createHash } from 'node:crypto';
import { isProviderStatus, isValidVideoId, type ProviderStatus } from '../../shared/video-job.js';
import { asObject, invalidField, optionalHttpUrl, optionalString, requiredString } from './fields.js';
import { verifyHexHmac } from './hmac-signature.js';
import { single, type WebhookAdapter } from './webhook-adapter.js';

/** The original design's status words, mapped onto the provider statuses. */
const STATUS_ALIASES: Record<string, ProviderStatus> = {
  queued: 'starting',
  pending: 'starting',
  completed: 'succeeded',
  error: 'failed',
};

/**
 * The original design's webhook: hex HMAC-SHA256 in `X-Signature`, body `{video_id, status,
 * download_url, metadata}`. The event id is `event_id` when sent, else a hash of the raw body
 * (a byte-identical redelivery is then recognised as the same event).
 */
export function genericAdapter(opts: { secrets: readonly string[] }): WebhookAdapter {
  return {
    source: 'generic',
    verify(delivery) {
      verifyHexHmac(delivery.rawBody, single(delivery.headers['x-signature']), opts.secrets);
    },
    normalize(body, delivery) {
      const obj = asObject(body, 'body');
      const videoId = requiredString(obj, 'video_id');
      if (!isValidVideoId(videoId)) throw invalidField('video_id', 'is not a valid video id');
      const rawStatus = requiredString(obj, 'status').toLowerCase();
      const status = STATUS_ALIASES[rawStatus] ?? rawStatus;
      if (!isProviderStatus(status))
        throw invalidField('status', `"${rawStatus.slice(0, 40)}" is not a known status`);
      const downloadUrl = optionalHttpUrl(optionalString(obj, 'download_url'), 'download_url');
      const metadata =
        obj.metadata === undefined || obj.metadata === null ? {} : asObject(obj.metadata, 'metadata');
      const tenantId = optionalString(metadata, 'tenant_id', 'metadata.tenant_id') ?? 'unknown';
      if (!isValidVideoId(tenantId)) throw invalidField('metadata.tenant_id', 'is not a valid id');
      const error = optionalString(obj, 'error') ?? optionalString(metadata, 'error', 'metadata.error');
      const sizeBytes = metadata.size_bytes;
      if (sizeBytes !== undefined && !(Number.isSafeInteger(sizeBytes) && (sizeBytes as number) > 0)) {
        throw invalidField('metadata.size_bytes', 'must be a positive integer');
      }
      const checksum = optionalString(metadata, 'sha256', 'metadata.sha256');
      if (checksum !== undefined && !/^[0-9a-f]{64}$/i.test(checksum)) {
        throw invalidField('metadata.sha256', 'must be 64 hex characters');
      }
      const eventId =
        optionalString(obj, 'event_id') ??
        `sha256:${createHash('sha256').update(delivery.rawBody).digest('hex')}`;
      return {
        tenantId,
        plan: metadata.plan === 'paid' ? 'paid' : 'free',
        event: {
          eventId,
          videoId,
          status,
          occurredAt: optionalString(obj, 'occurred_at') ?? new Date().toISOString(),
          ...(downloadUrl && { downloadUrl }),
          ...(error && { error: error.slice(0, 500) }),
          ...(sizeBytes !== undefined && { sizeBytes: sizeBytes as number }),
          ...(checksum && { checksumSha256: checksum.toLowerCase() }),
        },
      };
    },
  };
}
