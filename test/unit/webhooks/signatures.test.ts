import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { UnauthorizedError } from '../../../src/api/errors.js';
import {
  signTimedHexHmac,
  verifyHexHmac,
  verifyTimedHexHmac,
} from '../../../src/api/webhooks/hmac-signature.js';
import { timestampWithinTolerance } from '../../../src/api/webhooks/signature-timestamp.js';
import {
  signStandardWebhook,
  StandardWebhooksVerifier,
} from '../../../src/api/webhooks/standard-webhooks-signature.js';

const secretA = `whsec_${randomBytes(24).toString('base64')}`;
const secretB = `whsec_${randomBytes(24).toString('base64')}`;
const body = Buffer.from(JSON.stringify({ id: 'pred1', status: 'succeeded', output: 'https://cdn/x.mp4' }));
const FIVE_MIN = 5 * 60_000;

/** Signs with the reference package, the way any Standard Webhooks sender would. */
function signed(secret: string, payload: Buffer | string = body, at = new Date()) {
  const id = `msg_${randomBytes(8).toString('hex')}`;
  return {
    id,
    timestamp: String(Math.floor(at.getTime() / 1000)),
    signature: new Webhook(secret).sign(id, at, payload.toString()),
  };
}

function rejects(fn: () => void, code: string, message?: string): void {
  assert.throws(
    fn,
    (err: unknown) =>
      err instanceof UnauthorizedError &&
      err.code === code &&
      (message === undefined || err.message === message),
  );
}

describe('Standard Webhooks verification (replicate)', () => {
  const verifier = new StandardWebhooksVerifier([secretA], FIVE_MIN);

  it('accepts a signature made by the standardwebhooks package', () => {
    assert.doesNotThrow(() => verifier.verify(body, signed(secretA), Date.now()));
  });

  it('accepts the documented test vector of the Standard Webhooks spec', () => {
    // From standard-webhooks' reference test suite.
    const vectorSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const headers = {
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: '1614265330',
      signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    const payload = Buffer.from('{"test": 2432232314}');
    const v = new StandardWebhooksVerifier([vectorSecret], FIVE_MIN);
    assert.doesNotThrow(() => v.verify(payload, headers, 1614265330_000));
  });

  it('rejects a tampered body', () => {
    const headers = signed(secretA);
    rejects(
      () => verifier.verify(Buffer.from(body.toString().replace('succeeded', 'failed')), headers, Date.now()),
      'bad_signature',
    );
  });

  it('rejects a signature made with another secret', () => {
    rejects(() => verifier.verify(body, signed(secretB), Date.now()), 'bad_signature');
  });

  it('rejects a stale or future timestamp, even with a valid signature', () => {
    const now = Date.now();
    rejects(
      () => verifier.verify(body, signed(secretA, body, new Date(now - FIVE_MIN - 5_000)), now),
      'stale_timestamp',
    );
    rejects(
      () => verifier.verify(body, signed(secretA, body, new Date(now + FIVE_MIN + 5_000)), now),
      'stale_timestamp',
    );
  });

  it('uses the configured tolerance, not a fixed one', () => {
    const strict = new StandardWebhooksVerifier([secretA], 10_000);
    const now = Date.now();
    rejects(() => strict.verify(body, signed(secretA, body, new Date(now - 30_000)), now), 'stale_timestamp');
  });

  it('accepts the second secret during a rotation', () => {
    const rotating = new StandardWebhooksVerifier([secretA, secretB], FIVE_MIN);
    assert.doesNotThrow(() => rotating.verify(body, signed(secretB), Date.now()));
  });

  it('accepts any one matching signature among several (sender-side rotation)', () => {
    const a = signed(secretA);
    const other = new Webhook(secretB).sign(a.id, new Date(Number(a.timestamp) * 1000), body.toString());
    assert.doesNotThrow(() =>
      verifier.verify(body, { ...a, signature: `${other} ${a.signature}` }, Date.now()),
    );
  });

  it('rejects missing headers', () => {
    rejects(
      () => verifier.verify(body, { ...signed(secretA), signature: undefined }, Date.now()),
      'missing_signature',
    );
  });

  it('names what is missing or wrong, whichever one header is absent', () => {
    const missing = 'missing webhook-id, webhook-timestamp or webhook-signature';
    for (const absent of ['id', 'timestamp', 'signature'] as const) {
      rejects(
        () => verifier.verify(body, { ...signed(secretA), [absent]: undefined }, Date.now()),
        'missing_signature',
        missing,
      );
    }
    const now = Date.now();
    rejects(
      () => verifier.verify(body, signed(secretA, body, new Date(now - FIVE_MIN - 5_000)), now),
      'stale_timestamp',
      'webhook-timestamp outside the allowed tolerance',
    );
    rejects(
      () => verifier.verify(body, signed(secretB), now),
      'bad_signature',
      'webhook signature does not match',
    );
  });

  it('takes only v1 entries, and a short or empty one is a mismatch, not an error', () => {
    const a = signed(secretA);
    const value = a.signature.slice('v1,'.length);
    for (const signature of [`v2,${value}`, `${value}`, 'v1,', 'v1,AAAA', `v1,${value.slice(0, 8)}`]) {
      rejects(() => verifier.verify(body, { ...a, signature }, Date.now()), 'bad_signature');
    }
    assert.equal(signStandardWebhook(secretA, a.id, a.timestamp, body), a.signature);
  });
});

describe('signed timestamps', () => {
  const now = 1_700_000_000_000;
  const tolerance = 60_000;

  it('accepts unix seconds up to the tolerance either way, and nothing past it', () => {
    assert.ok(timestampWithinTolerance(String((now - tolerance) / 1000), tolerance, now));
    assert.ok(timestampWithinTolerance(String((now + tolerance) / 1000), tolerance, now));
    assert.ok(!timestampWithinTolerance(String((now - tolerance) / 1000 - 1), tolerance, now));
  });

  it('accepts only 1 to 12 plain digits: no sign, space, fraction or padding', () => {
    const s = String(now / 1000);
    for (const bad of [` ${s}`, `${s} `, `+${s}`, `${s}.0`, `0${s.padStart(12, '0')}`, '', 'x']) {
      assert.ok(!timestampWithinTolerance(bad, tolerance, now), JSON.stringify(bad));
    }
  });
});

describe('generic HMAC verification', () => {
  const secrets = ['old-secret', 'new-secret'];
  const hmac = (secret: string, payload: Buffer) =>
    createHmac('sha256', secret).update(payload).digest('hex');

  it('accepts a hex HMAC-SHA256 of the raw body with any configured secret', () => {
    assert.doesNotThrow(() => verifyHexHmac(body, hmac('old-secret', body), secrets));
    assert.doesNotThrow(() => verifyHexHmac(body, `sha256=${hmac('new-secret', body)}`, secrets));
  });

  it('rejects a tampered body, a wrong secret and a malformed header', () => {
    assert.throws(
      () => verifyHexHmac(Buffer.concat([body, Buffer.from(' ')]), hmac('old-secret', body), secrets),
      UnauthorizedError,
    );
    assert.throws(() => verifyHexHmac(body, hmac('someone-else', body), secrets), UnauthorizedError);
    assert.throws(() => verifyHexHmac(body, 'abc', secrets), UnauthorizedError);
    assert.throws(() => verifyHexHmac(body, undefined, secrets), UnauthorizedError);
  });

  it('takes exactly 64 hex digits after an optional leading sha256=, nothing around them', () => {
    const digest = hmac('old-secret', body);
    for (const header of [
      `x${digest}`,
      `${digest}00`,
      `${digest.slice(0, 32)}sha256=${digest.slice(32)}`,
      `sha256:${digest}`,
    ]) {
      rejects(
        () => verifyHexHmac(body, header, secrets),
        'missing_signature',
        'missing or malformed X-Signature',
      );
    }
    assert.doesNotThrow(() => verifyHexHmac(body, ` SHA256=${digest.toUpperCase()} `, secrets));
    rejects(
      () => verifyHexHmac(body, hmac('someone-else', body), secrets),
      'bad_signature',
      'webhook signature does not match',
    );
  });
});

describe('generic timed HMAC verification', () => {
  const secrets = ['old-secret', 'new-secret'];
  const now = 1_700_000_000_000;
  const ts = String(now / 1000);

  it('accepts the timed signature of any configured secret', () => {
    for (const secret of secrets) {
      const signature = signTimedHexHmac(secret, ts, body);
      assert.doesNotThrow(() => verifyTimedHexHmac(body, { signature, timestamp: ts }, secrets, 60_000, now));
    }
  });

  it('says which part is missing, stale or wrong', () => {
    const signature = signTimedHexHmac('new-secret', ts, body);
    rejects(
      () => verifyTimedHexHmac(body, { signature }, secrets, 60_000, now),
      'missing_signature',
      'missing X-Signature-Timestamp',
    );
    rejects(
      () => verifyTimedHexHmac(body, { signature, timestamp: ts }, secrets, 60_000, now + 61_000),
      'stale_timestamp',
      'X-Signature-Timestamp outside the allowed tolerance',
    );
    rejects(
      () => verifyTimedHexHmac(body, { signature, timestamp: ts }, ['other'], 60_000, now),
      'bad_signature',
      'webhook signature does not match',
    );
    rejects(
      () => verifyTimedHexHmac(body, { timestamp: ts }, secrets, 60_000, now),
      'missing_signature',
      'missing or malformed X-Signature',
    );
  });
});
