import { isValidVideoId, type VideoPlan } from '../../shared/video-job.js';
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
  const tenantId = requiredString(obj, 'tenantId');
  if (!isValidVideoId(tenantId)) throw invalidField('tenantId', 'must match [A-Za-z0-9_-]{1,128}');
  const plan = optionalString(obj, 'plan') ?? 'free';
  if (plan !== 'paid' && plan !== 'free') throw invalidField('plan', 'must be "paid" or "free"');
  const providerInput = obj.input === undefined ? {} : asObject(obj.input, 'input');
  const requesterEmail = optionalString(obj, 'requesterEmail');
  if (requesterEmail !== undefined && !/^[^\s@]{1,64}@[^\s@]{1,255}$/.test(requesterEmail)) {
    throw invalidField('requesterEmail', 'is not an email address');
  }
  return { tenantId, plan, providerInput, ...(requesterEmail && { requesterEmail }) };
}
