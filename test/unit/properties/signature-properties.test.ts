import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { AppError } from '../../../src/api/errors.js';
import {
  signHexHmac,
  signTimedHexHmac,
  verifyHexHmac,
  verifyTimedHexHmac,
} from '../../../src/api/webhooks/hmac-signature.js';
import {
  signStandardWebhook,
  StandardWebhooksVerifier,
} from '../../../src/api/webhooks/standard-webhooks-signature.js';

const TOLERANCE_MS = 300_000;
const NOW_MS = Date.UTC(2026, 0, 1);

const secret = fc
  .uint8Array({ minLength: 16, maxLength: 64 })
  .map((b) => `whsec_${Buffer.from(b).toString('base64')}`);
const hexSecret = fc.string({ minLength: 1, maxLength: 64 });
const webhookId = fc.stringMatching(/^[\x21-\x7e]{1,64}$/);
/** Any bytes at all, most of them not valid UTF-8. */
const body = fc.uint8Array({ minLength: 0, maxLength: 512 }).map((b) => Buffer.from(b));
const inTolerance = fc.integer({ min: -TOLERANCE_MS + 1000, max: TOLERANCE_MS - 1000 });

/** A change of one byte somewhere in the buffer, never a no-op. */
const oneByteChange = (buf: Buffer) =>
  fc.tuple(fc.nat({ max: buf.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([at, xor]) => {
    const changed = Buffer.from(buf);
    changed[at] = changed[at]! ^ xor;
    return changed;
  });

function rejectedWith401(fn: () => void): boolean {
  try {
    fn();
    return false;
  } catch (err) {
    return err instanceof AppError && err.status === 401;
  }
}

describe('signature schemes (properties)', () => {
  describe('Standard Webhooks over raw bytes', () => {
    it('verifies what it signs, for any secret, id, timestamp in tolerance and body bytes', () => {
      fc.assert(
        fc.property(secret, webhookId, inTolerance, body, (s, id, skew, raw) => {
          const ts = String(Math.floor((NOW_MS + skew) / 1000));
          const verifier = new StandardWebhooksVerifier([s], TOLERANCE_MS);
          verifier.verify(raw, { id, timestamp: ts, signature: signStandardWebhook(s, id, ts, raw) }, NOW_MS);
        }),
      );
    });

    it('agrees with the reference standardwebhooks package on UTF-8 bodies', () => {
      fc.assert(
        fc.property(secret, webhookId, fc.string({ unit: 'grapheme', maxLength: 200 }), (s, id, text) => {
          const at = new Date(NOW_MS);
          const ts = String(NOW_MS / 1000);
          assert.equal(signStandardWebhook(s, id, ts, Buffer.from(text)), new Webhook(s).sign(id, at, text));
        }),
      );
    });

    it('rejects any single-byte change of the body', () => {
      fc.assert(
        fc.property(
          secret,
          webhookId,
          body.filter((b) => b.length > 0).chain((raw) => fc.tuple(fc.constant(raw), oneByteChange(raw))),
          (s, id, [raw, changed]) => {
            const ts = String(NOW_MS / 1000);
            const signature = signStandardWebhook(s, id, ts, raw);
            const verifier = new StandardWebhooksVerifier([s], TOLERANCE_MS);
            return rejectedWith401(() => verifier.verify(changed, { id, timestamp: ts, signature }, NOW_MS));
          },
        ),
      );
    });

    it('rejects any single-byte change of the signature', () => {
      fc.assert(
        fc.property(
          secret,
          webhookId,
          body,
          fc.nat(31),
          fc.integer({ min: 1, max: 255 }),
          (s, id, raw, at, xor) => {
            const ts = String(NOW_MS / 1000);
            const mac = Buffer.from(signStandardWebhook(s, id, ts, raw).slice(3), 'base64');
            mac[at] = mac[at]! ^ xor;
            const verifier = new StandardWebhooksVerifier([s], TOLERANCE_MS);
            return rejectedWith401(() =>
              verifier.verify(raw, { id, timestamp: ts, signature: `v1,${mac.toString('base64')}` }, NOW_MS),
            );
          },
        ),
      );
    });

    it('rejects a correctly signed timestamp outside the tolerance, either way', () => {
      const outside = fc.oneof(
        fc.integer({ min: TOLERANCE_MS + 1000, max: 10 * 365 * 86_400_000 }),
        fc.integer({ min: -10 * 365 * 86_400_000, max: -TOLERANCE_MS - 1000 }),
      );
      fc.assert(
        fc.property(secret, webhookId, body, outside, (s, id, raw, skew) => {
          const ts = String(Math.floor((NOW_MS + skew) / 1000));
          const verifier = new StandardWebhooksVerifier([s], TOLERANCE_MS);
          const signature = signStandardWebhook(s, id, ts, raw);
          return rejectedWith401(() => verifier.verify(raw, { id, timestamp: ts, signature }, NOW_MS));
        }),
      );
    });
  });

  describe('generic hex HMAC over the timestamp and the raw bytes', () => {
    const at = (skewMs: number) => String(Math.floor((NOW_MS + skewMs) / 1000));
    const verify = (raw: Buffer, signature: string | undefined, timestamp: string | undefined, s: string) =>
      verifyTimedHexHmac(raw, { signature, timestamp }, [s], TOLERANCE_MS, NOW_MS);

    it('verifies what it signs within the tolerance, with or without the sha256= prefix', () => {
      fc.assert(
        fc.property(hexSecret, body, inTolerance, fc.boolean(), (s, raw, skew, prefixed) => {
          const hex = signTimedHexHmac(s, at(skew), raw);
          verify(raw, prefixed ? `sha256=${hex}` : hex, at(skew), s);
        }),
      );
    });

    it('rejects a correct signature whose timestamp is outside the tolerance (a replay)', () => {
      const outside = fc.oneof(
        fc.integer({ min: TOLERANCE_MS + 1000, max: 10 * 365 * 86_400_000 }),
        fc.integer({ min: -10 * 365 * 86_400_000, max: -TOLERANCE_MS - 1000 }),
      );
      fc.assert(
        fc.property(hexSecret, body, outside, (s, raw, skew) =>
          rejectedWith401(() => verify(raw, signTimedHexHmac(s, at(skew), raw), at(skew), s)),
        ),
      );
    });

    it('rejects a signature presented with another timestamp, or with none', () => {
      fc.assert(
        fc.property(hexSecret, body, inTolerance, inTolerance, (s, raw, signedAt, sentAt) => {
          fc.pre(at(signedAt) !== at(sentAt));
          const hex = signTimedHexHmac(s, at(signedAt), raw);
          return (
            rejectedWith401(() => verify(raw, hex, at(sentAt), s)) &&
            rejectedWith401(() => verify(raw, hex, undefined, s))
          );
        }),
      );
    });

    it('rejects the untimed signature of the same body', () => {
      fc.assert(
        fc.property(hexSecret, body, (s, raw) =>
          rejectedWith401(() => verify(raw, signHexHmac(s, raw), at(0), s)),
        ),
      );
    });

    it('rejects any single-byte change of the body, and another secret', () => {
      fc.assert(
        fc.property(
          hexSecret,
          hexSecret,
          body.filter((b) => b.length > 0).chain((raw) => fc.tuple(fc.constant(raw), oneByteChange(raw))),
          (a, b, [raw, changed]) => {
            fc.pre(a !== b);
            const hex = signTimedHexHmac(a, at(0), raw);
            return (
              rejectedWith401(() => verify(changed, hex, at(0), a)) &&
              rejectedWith401(() => verify(raw, hex, at(0), b))
            );
          },
        ),
      );
    });
  });

  describe('legacy generic hex HMAC over raw bytes only', () => {
    it('verifies what it signs, with or without the sha256= prefix', () => {
      fc.assert(
        fc.property(hexSecret, body, fc.boolean(), (s, raw, prefixed) => {
          const hex = signHexHmac(s, raw);
          verifyHexHmac(raw, prefixed ? `sha256=${hex}` : hex, [s]);
        }),
      );
    });

    it('rejects any single-byte change of the body', () => {
      fc.assert(
        fc.property(
          hexSecret,
          body.filter((b) => b.length > 0).chain((raw) => fc.tuple(fc.constant(raw), oneByteChange(raw))),
          (s, [raw, changed]) => rejectedWith401(() => verifyHexHmac(changed, signHexHmac(s, raw), [s])),
        ),
      );
    });

    it('rejects a signature made with another secret', () => {
      fc.assert(
        fc.property(hexSecret, hexSecret, body, (a, b, raw) => {
          fc.pre(a !== b);
          return rejectedWith401(() => verifyHexHmac(raw, signHexHmac(a, raw), [b]));
        }),
      );
    });
  });
});
