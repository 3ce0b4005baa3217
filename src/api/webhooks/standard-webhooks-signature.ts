import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../errors.js';
import { timestampWithinTolerance } from './signature-timestamp.js';

/** The HMAC key of a Standard Webhooks secret: base64 after the optional `whsec_` prefix. */
function secretKey(secret: string): Buffer {
  return Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
}

/**
 * HMAC-SHA256 over `<id>.<timestamp>.` followed by the body's bytes exactly as received, so a
 * body that is not valid UTF-8 is checked on what was actually signed (decoding it first would
 * replace bytes and break a correct signature).
 */
export function standardWebhooksHmac(secret: string, id: string, timestamp: string, rawBody: Buffer): Buffer {
  return createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.`).update(rawBody).digest();
}

/** The `webhook-signature` header value a sender puts on this body. */
export function signStandardWebhook(secret: string, id: string, timestamp: string, rawBody: Buffer): string {
  return `v1,${standardWebhooksHmac(secret, id, timestamp, rawBody).toString('base64')}`;
}

/**
 * Standard Webhooks verification (`webhook-id`, `webhook-timestamp`, `webhook-signature:
 * v1,<base64> …`) against every configured secret, so a secret can rotate without a gap. The
 * timestamp tolerance is Floodgate's own setting and is checked before any HMAC.
 */
export class StandardWebhooksVerifier {
  constructor(
    private readonly secrets: readonly string[],
    private readonly toleranceMs: number,
  ) {}

  verify(
    rawBody: Buffer,
    headers: { id?: string; timestamp?: string; signature?: string },
    nowMs: number,
  ): void {
    const { id, timestamp, signature } = headers;
    if (!id || !timestamp || !signature) {
      throw new UnauthorizedError(
        'missing webhook-id, webhook-timestamp or webhook-signature',
        'missing_signature',
      );
    }
    if (!timestampWithinTolerance(timestamp, this.toleranceMs, nowMs)) {
      throw new UnauthorizedError('webhook-timestamp outside the allowed tolerance', 'stale_timestamp');
    }
    const presented = signature
      .split(' ')
      .map((entry) => entry.split(','))
      .filter(([version, value]) => version === 'v1' && value)
      .map(([, value]) => Buffer.from(value!, 'base64'));
    for (const secret of this.secrets) {
      const expected = standardWebhooksHmac(secret, id, timestamp, rawBody);
      if (presented.some((p) => p.length === expected.length && timingSafeEqual(p, expected))) return;
    }
    throw new UnauthorizedError('webhook signature does not match', 'bad_signature');
  }
}
