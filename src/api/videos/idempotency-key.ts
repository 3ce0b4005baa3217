import { createHmac } from 'node:crypto';
import { FIELD_LIMITS } from '../field-limits.js';
import { invalidField } from '../webhooks/fields.js';
import { canonicalJson } from './canonical-json.js';
import type { VideoRequest } from './video-request.js';

/** The memo field where a keyed run keeps the fingerprint of the request that started it. */
export const REQUEST_FINGERPRINT_MEMO = 'requestFingerprint';

/** Printable ASCII, spaces included (RFC draft: a client-chosen opaque string). */
const KEY_ALPHABET = /^[\x20-\x7e]+$/;

/**
 * The `Idempotency-Key` header of `POST /videos`: absent is fine, present must be 1–255
 * printable ASCII characters, else a 400 naming the header.
 */
export function parseIdempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length === 0 || value.length > FIELD_LIMITS.idempotencyKey || !KEY_ALPHABET.test(value)) {
    throw invalidField(
      'Idempotency-Key',
      `must be 1–${FIELD_LIMITS.idempotencyKey} printable ASCII characters`,
    );
  }
  return value;
}

/**
 * The video id of a keyed request: a keyed hash of the key, so the same key always names the
 * same workflow (its id policy refuses a second start) and nobody without the server's key can
 * aim at another client's job. Every API key belongs to the one product backend, so the scope
 * is fixed; the labels keep these hashes apart from the password-reset ids made with the same key.
 */
export function idempotentVideoId(key: string, idKey: string): string {
  const mac = createHmac('sha256', idKey).update(`video-idempotency-key\0videos\0${key}`, 'utf8');
  return `req-${mac.digest('hex').slice(0, 40)}`;
}

/** What "the same body" means: the validated request, canonical, keyed-hashed (no email in clear). */
export function requestFingerprint(request: VideoRequest, idKey: string): string {
  return createHmac('sha256', idKey)
    .update(`video-request\0${canonicalJson(request)}`, 'utf8')
    .digest('hex');
}
