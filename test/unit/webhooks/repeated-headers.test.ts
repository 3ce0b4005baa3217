import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { DEV_DEFAULTS } from '../../../src/config.js';
import { startApp, webhookPath, type RunningApp } from './app-harness.js';

interface Answer {
  status: number;
  body: { error?: { code: string; message: string } };
}

/**
 * A raw HTTP request where a header may be an array: node:http writes one header line per
 * value, the way a hostile client or a confused proxy sends a header twice (fetch would join them).
 */
function send(url: string, path: string, headers: Record<string, string | string[]>, body: string) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Answer['body']) : {} });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Standard Webhooks signing written out here, apart from the code under test. */
function replicateHeaders(body: string): Record<string, string> {
  const id = `msg_${Math.random().toString(36).slice(2)}`;
  const ts = String(Math.floor(Date.now() / 1000));
  const key = Buffer.from(DEV_DEFAULTS.replicateSecret.slice('whsec_'.length), 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': ts,
    'webhook-signature': `v1,${mac}`,
  };
}

function genericHeaders(body: string): Record<string, string> {
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', DEV_DEFAULTS.genericSecret).update(`${ts}.${body}`).digest('hex');
  return { 'content-type': 'application/json', 'x-signature': signature, 'x-signature-timestamp': ts };
}

/** The same header twice: the real value, then the same again (a valid value does not help). */
function twice(headers: Record<string, string>, name: string): Record<string, string | string[]> {
  return { ...headers, [name]: [headers[name]!, headers[name]!] };
}

describe('a header given twice (through the real app, on a raw socket)', () => {
  let app: RunningApp;
  before(async () => {
    // Temporal unreachable: a webhook that passes every check ends in a 503, which tells it apart.
    app = await startApp();
  });
  after(async () => {
    await app?.close();
  });

  const prediction = JSON.stringify({ id: 'pred-twice', status: 'processing', output: null, error: null });
  const event = JSON.stringify({ video_id: 'generic-twice', status: 'processing' });

  // Past the header checks, POST /videos refuses this body's tenantId: a 400 that names another field.
  const videoBody = '{"tenantId":"acme corp"}';

  it('passes the header checks when each header is given once (the control)', async () => {
    const replicate = await send(
      app.url,
      webhookPath(app, 'vid-twice'),
      replicateHeaders(prediction),
      prediction,
    );
    const generic = await send(app.url, '/webhooks/generic', genericHeaders(event), event);
    const video = await send(
      app.url,
      '/videos',
      {
        'content-type': 'application/json',
        authorization: `Bearer ${DEV_DEFAULTS.apiKey}`,
        'idempotency-key': 'order-1',
      },
      videoBody,
    );
    assert.deepEqual([replicate.status, generic.status, video.status], [503, 503, 400]);
    assert.match(video.body.error?.message ?? '', /^tenantId /);
  });

  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    it(`refuses ${name} twice on a replicate webhook with 400 naming it`, async () => {
      const res = await send(
        app.url,
        webhookPath(app, 'vid-twice'),
        twice(replicateHeaders(prediction), name),
        prediction,
      );
      assert.equal(res.status, 400);
      assert.equal(res.body.error?.message, `${name} must be given once`);
    });
  }

  for (const name of ['x-signature', 'x-signature-timestamp']) {
    it(`refuses ${name} twice on a generic webhook with 400 naming it`, async () => {
      const res = await send(app.url, '/webhooks/generic', twice(genericHeaders(event), name), event);
      assert.equal(res.status, 400);
      assert.equal(res.body.error?.message, `${name} must be given once`);
    });
  }

  for (const name of ['authorization', 'idempotency-key']) {
    it(`refuses ${name} twice on POST /videos with 400 naming it`, async () => {
      const headers = {
        'content-type': 'application/json',
        authorization: `Bearer ${DEV_DEFAULTS.apiKey}`,
        'idempotency-key': 'order-2',
      };
      const res = await send(app.url, '/videos', twice(headers, name), videoBody);
      assert.equal(res.status, 400);
      assert.match(res.body.error?.message ?? '', new RegExp(`^${name} must be given once$`, 'i'));
    });
  }

  it('refuses two different API keys, a valid one first, with 400', async () => {
    const res = await send(
      app.url,
      '/password-resets',
      {
        'content-type': 'application/json',
        authorization: [`Bearer ${DEV_DEFAULTS.apiKey}`, 'Bearer someone-elses-key'],
      },
      '{"userId":"u-1","email":"a@example.com"}',
    );
    assert.equal(res.status, 400);
    assert.match(res.body.error?.message ?? '', /^Authorization must be given once$/);
  });
});
