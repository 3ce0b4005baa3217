import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { UnauthorizedError } from '../../../src/api/errors.js';
import { verifyHexHmac } from '../../../src/api/webhooks/hmac-signature.js';
import { StandardWebhooksVerifier } from '../../../src/api/webhooks/standard-webhooks-signature.js';

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

function rejects(fn: () => void, code: string): void {
  assert.throws(fn, (err: unknown) => err instanceof UnauthorizedError && err.code === code);
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
});
