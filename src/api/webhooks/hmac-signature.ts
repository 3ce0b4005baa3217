import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../errors.js';
import { timestampWithinTolerance } from './signature-timestamp.js';

/**
 * The generic source's `X-Signature`: hex HMAC-SHA256 of `<X-Signature-Timestamp>.` followed by
 * the raw body, so the signature covers when it was sent and a captured delivery cannot be
 * replayed once the tolerance has passed.
 */
export function signTimedHexHmac(secret: string, timestamp: string, rawBody: Buffer): string {
  return timedHmac(secret, timestamp, rawBody).toString('hex');
}

/** Legacy (GENERIC_WEBHOOK_LEGACY_UNTIMED): hex HMAC-SHA256 of the raw body alone, no timestamp. */
export function signHexHmac(secret: string, rawBody: Buffer): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

function timedHmac(secret: string, timestamp: string, rawBody: Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

/** The presented digest: 64 hex digits, optionally `sha256=` prefixed; anything else is a 401. */
function presentedDigest(header: string | undefined): Buffer {
  const hex = header?.trim().replace(/^sha256=/i, '') ?? '';
  if (!/^[0-9a-f]{64}$/i.test(hex))
    throw new UnauthorizedError('missing or malformed X-Signature', 'missing_signature');
  return Buffer.from(hex, 'hex');
}

/**
 * The timed scheme, checked against every configured secret in constant time; the timestamp
 * is required and must be within the tolerance (the Standard Webhooks source's setting).
 */
export function verifyTimedHexHmac(
  rawBody: Buffer,
  headers: { signature?: string; timestamp?: string },
  secrets: readonly string[],
  toleranceMs: number,
  nowMs: number,
): void {
  const presented = presentedDigest(headers.signature);
  if (headers.timestamp === undefined)
    throw new UnauthorizedError('missing X-Signature-Timestamp', 'missing_signature');
  if (!timestampWithinTolerance(headers.timestamp, toleranceMs, nowMs))
    throw new UnauthorizedError('X-Signature-Timestamp outside the allowed tolerance', 'stale_timestamp');
  const timestamp = headers.timestamp;
  if (!secrets.some((secret) => timingSafeEqual(presented, timedHmac(secret, timestamp, rawBody))))
    throw new UnauthorizedError('webhook signature does not match', 'bad_signature');
}

/**
 * Legacy: the original design's body-only HMAC, which a captured delivery replays forever.
 * Used only when GENERIC_WEBHOOK_LEGACY_UNTIMED is on and the sender sent no timestamp.
 */
export function verifyHexHmac(rawBody: Buffer, header: string | undefined, secrets: readonly string[]): void {
  const presented = presentedDigest(header);
  const matches = secrets.some((secret) =>
    timingSafeEqual(presented, createHmac('sha256', secret).update(rawBody).digest()),
  );
  if (!matches) throw new UnauthorizedError('webhook signature does not match', 'bad_signature');
}
