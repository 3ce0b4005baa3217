import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { DEV_DEFAULTS } from '../../../src/config.js';
import { counterValue, startApp, webhookPath, type RunningApp } from './app-harness.js';

const prediction = {
  id: 'pred123',
  status: 'processing',
  output: null,
  error: null,
  created_at: new Date().toISOString(),
};

function replicateHeaders(body: string, secret: string = DEV_DEFAULTS.replicateSecret, at = new Date()) {
  const id = `msg_${Math.random().toString(36).slice(2)}`;
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

/** Standard Webhooks signing written out here, apart from the code under test. */
function rawByteSignature(id: string, ts: string, raw: Buffer): string {
  const key = Buffer.from(DEV_DEFAULTS.replicateSecret.slice('whsec_'.length), 'base64');
  const mac = createHmac('sha256', key).update(Buffer.concat([Buffer.from(`${id}.${ts}.`), raw]));
  return `v1,${mac.digest('base64')}`;
}

describe('POST /webhooks/:source (before and at the Temporal hand-off)', () => {
  let app: RunningApp;
  before(async () => {
    app = await startApp({ env: { WEBHOOK_BODY_LIMIT_BYTES: '2048' } });
  });
  after(async () => {
    await app?.close();
  });

  const post = (path: string, body: string, headers: Record<string, string>) =>
    fetch(`${app.url}${path}`, { method: 'POST', body, headers });

  it('404 for an unknown source', async () => {
    const res = await post('/webhooks/nope', '{}', { 'content-type': 'application/json' });
    assert.equal(res.status, 404);
  });

  it('415 for a body that is not JSON', async () => {
    const res = await post('/webhooks/replicate', 'id=1', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(res.status, 415);
  });

  it('413 for a body over the limit, signed or not', async () => {
    const big = JSON.stringify({ ...prediction, logs: 'x'.repeat(4096) });
    const res = await post('/webhooks/replicate', big, replicateHeaders(big));
    assert.equal(res.status, 413);
  });

  it('401 for a tampered body, a wrong secret or a stale timestamp, and nothing is started', async () => {
    const body = JSON.stringify(prediction);
    const tampered = await post(
      '/webhooks/replicate',
      body.replace('processing', 'succeeded'),
      replicateHeaders(body),
    );
    const wrongSecret = await post(
      '/webhooks/replicate',
      body,
      replicateHeaders(body, 'whsec_d3JvbmctZGV2LXNlY3JldC13cm9uZw=='),
    );
    const stale = await post(
      '/webhooks/replicate',
      body,
      replicateHeaders(body, undefined, new Date(Date.now() - 600_000)),
    );
    assert.deepEqual([tampered.status, wrongSecret.status, stale.status], [401, 401, 401]);
    // Temporal is unreachable here: had any of them got as far as the hand-off, it would have been a 503.
    assert.equal(await counterValue(app.metrics, { source: 'replicate', outcome: 'rejected_signature' }), 3);
    assert.equal(await counterValue(app.metrics, { source: 'replicate', outcome: 'unavailable' }), 0);
  });

  it('400 naming the field for a signed but malformed event', async () => {
    const body = JSON.stringify({ ...prediction, status: 'exploded' });
    const res = await post(webhookPath(app, 'vid1'), body, replicateHeaders(body));
    assert.equal(res.status, 400);
    const { error } = (await res.json()) as { error: { message: string } };
    assert.match(error.message, /^status /);
  });

  it('400 for a generic webhook with a bad video_id, after its HMAC checks out', async () => {
    const body = JSON.stringify({ video_id: '../../etc/passwd', status: 'completed' });
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', DEV_DEFAULTS.genericSecret).update(`${ts}.${body}`).digest('hex');
    const res = await post('/webhooks/generic', body, {
      'content-type': 'application/json',
      'x-signature': signature,
      'x-signature-timestamp': ts,
    });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /^video_id /);
  });

  it('400 (not 401) for a body that is not UTF-8, correctly signed over its raw bytes', async () => {
    // 0xff never occurs in UTF-8: a check over a decoded string would see different bytes.
    const raw = Buffer.concat([
      Buffer.from('{"id":"pred1","status":"processing","x":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    const id = 'msg_not_utf8';
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await fetch(`${app.url}${webhookPath(app, 'vid1')}`, {
      method: 'POST',
      body: raw,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': ts,
        'webhook-signature': rawByteSignature(id, ts, raw),
      },
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'invalid_utf8');
  });

  it('400 naming webhook-id for a 10 KB webhook-id, before anything is recorded', async () => {
    const body = JSON.stringify(prediction);
    const headers = replicateHeaders(body);
    const id = 'm'.repeat(10 * 1024);
    const ts = headers['webhook-timestamp'];
    headers['webhook-id'] = id;
    headers['webhook-signature'] = rawByteSignature(id, ts, Buffer.from(body));
    const res = await post('/webhooks/replicate', body, headers);
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /^webhook-id /);
  });

  it('503 with Retry-After, within the ack deadline, when Temporal is unreachable', async () => {
    const body = JSON.stringify(prediction);
    const started = Date.now();
    const res = await post(webhookPath(app, 'vid1'), body, replicateHeaders(body));
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '5');
    assert.deepEqual(await res.json(), {
      error: { code: 'unavailable', message: 'could not record the event in time; retry later' },
    });
    assert.ok(
      Date.now() - started < app.config.webhooks.ackDeadlineMs + 1_500,
      `took ${Date.now() - started} ms`,
    );
    assert.equal(await counterValue(app.metrics, { source: 'replicate', outcome: 'unavailable' }), 1);
  });
});
