import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../errors.js';

/** The `X-Signature` value a sender of the generic source puts on this body. */
export function signHexHmac(secret: string, rawBody: Buffer): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/**
 * The original design's scheme: hex HMAC-SHA256 of the raw body (optionally `sha256=`
 * prefixed), checked against every configured secret in constant time.
 */
export function verifyHexHmac(rawBody: Buffer, header: string | undefined, secrets: readonly string[]): void {
  const hex = header?.trim().replace(/^sha256=/i, '') ?? '';
  if (!/^[0-9a-f]{64}$/i.test(hex))
    throw new UnauthorizedError('missing or malformed X-Signature', 'missing_signature');
  const presented = Buffer.from(hex, 'hex');
  const matches = secrets.some((secret) =>
    timingSafeEqual(presented, createHmac('sha256', secret).update(rawBody).digest()),
  );
  if (!matches) throw new UnauthorizedError('webhook signature does not match', 'bad_signature');
}
