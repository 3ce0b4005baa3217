import { isValidVideoId, type VideoPlan } from '../../shared/video-job.js';
import { FIELD_LIMITS } from '../field-limits.js';
import { asObject, invalidField, optionalString, requiredString } from '../webhooks/fields.js';

export interface VideoRequest {
  tenantId: string;
  plan: VideoPlan;
  providerInput: Record<string, unknown>;
  requesterEmail?: string;
}

/** Validates `POST /videos`; a 400 names the field. */
export function parseVideoRequest(body: unknown): VideoRequest {
  const obj = asObject(body, 'body');
  const tenantId = requiredString(obj, 'tenantId', FIELD_LIMITS.id);
  if (!isValidVideoId(tenantId)) throw invalidField('tenantId', 'must match [A-Za-z0-9_-]{1,128}');
  const plan = optionalString(obj, 'plan', FIELD_LIMITS.status) ?? 'free';
  if (plan !== 'paid' && plan !== 'free') throw invalidField('plan', 'must be "paid" or "free"');
  const providerInput = obj.input === undefined ? {} : asObject(obj.input, 'input');
  // The input lives in the job's history for life: keep it small.
  if (Buffer.byteLength(JSON.stringify(providerInput)) > FIELD_LIMITS.videoInputBytes)
    throw invalidField('input', `is larger than ${FIELD_LIMITS.videoInputBytes} bytes as JSON`);
  const requesterEmail = optionalString(obj, 'requesterEmail', FIELD_LIMITS.email);
  if (requesterEmail !== undefined && !/^[^\s@]{1,64}@[^\s@]{1,255}$/.test(requesterEmail)) {
    throw invalidField('requesterEmail', 'is not an email address');
  }
  return { tenantId, plan, providerInput, ...(requesterEmail && { requesterEmail }) };
}
