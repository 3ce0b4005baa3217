import { timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { UnauthorizedError } from '../errors.js';

/**
 * Standard Webhooks verification (`webhook-id`, `webhook-timestamp`, `webhook-signature:
 * v1,<base64> …`) against every configured secret, so a secret can rotate without a gap.
 * The signing itself is the reference `standardwebhooks` package's; the timestamp tolerance
 * is Floodgate's own setting (the package fixes it at five minutes), checked before any HMAC.
 */
export class StandardWebhooksVerifier {
  private readonly signers: Webhook[];

  constructor(
    secrets: readonly string[],
    private readonly toleranceMs: number,
  ) {
    this.signers = secrets.map((s) => new Webhook(s));
  }

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
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowMs - Number(timestamp) * 1000) > this.toleranceMs) {
      throw new UnauthorizedError('webhook-timestamp outside the allowed tolerance', 'stale_timestamp');
    }
    const presented = signature
      .split(' ')
      .map((entry) => entry.split(','))
      .filter(([version, value]) => version === 'v1' && value)
      .map(([, value]) => Buffer.from(value!, 'base64'));
    const signedAt = new Date(Number(timestamp) * 1000);
    for (const signer of this.signers) {
      const expected = Buffer.from(signer.sign(id, signedAt, rawBody).split(',')[1]!, 'base64');
      if (presented.some((p) => p.length === expected.length && timingSafeEqual(p, expected))) return;
    }
    throw new UnauthorizedError('webhook signature does not match', 'bad_signature');
  }
}
