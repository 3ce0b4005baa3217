import { randomUUID } from 'node:crypto';
import { isValidVideoId } from '../../shared/video-job.js';
import { FIELD_LIMITS } from '../field-limits.js';
import { asObject, invalidField, optionalString, requiredString } from '../webhooks/fields.js';

/**
 * `POST /videos/webhook-url {tenantId, videoId?}`: for a prediction the product backend creates
 * itself. Without a videoId Floodgate picks one; a 400 names the field.
 */
export function parseWebhookUrlRequest(body: unknown): { videoId: string; tenantId: string } {
  const obj = asObject(body, 'body');
  const tenantId = requiredString(obj, 'tenantId', FIELD_LIMITS.id);
  if (!isValidVideoId(tenantId)) throw invalidField('tenantId', 'must match [A-Za-z0-9_-]{1,128}');
  const videoId = optionalString(obj, 'videoId', FIELD_LIMITS.id) ?? randomUUID();
  if (!isValidVideoId(videoId)) throw invalidField('videoId', 'must match [A-Za-z0-9_-]{1,128}');
  return { videoId, tenantId };
}
