import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createApp } from '../../src/api/app.js';
import { createApiMetrics } from '../../src/api/metrics.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/** Short, so that a captured delivery can be replayed after it within the test. */
const TOLERANCE_S = 3;

interface Delivery {
  body: string;
  headers: Record<string, string>;
}

/** The generic source's signing, written out here apart from the code under test. */
function signed(secret: string, videoId: string, opts: { ts?: number; untimed?: boolean } = {}): Delivery {
  const body = JSON.stringify({ video_id: videoId, status: 'processing', event_id: `evt-${videoId}` });
  const ts = String(opts.ts ?? Math.floor(Date.now() / 1000));
  const mac = createHmac('sha256', secret);
  const signature = (opts.untimed ? mac.update(body) : mac.update(`${ts}.${body}`)).digest('hex');
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-signature': signature };
  if (!opts.untimed) headers['x-signature-timestamp'] = ts;
  return { body, headers };
}

/**
 * The generic webhook's timestamped signature through the real API on a real dev server: a
 * valid delivery is accepted, a stale, missing or replayed one is a 401 that records nothing,
 * and the untimed legacy scheme works only behind its switch.
 */
describe('generic webhooks: the signature covers a timestamp', function () {
  this.timeout(120_000);
  let stack: TestStack;
  let secret: string;

  before(async () => {
    // No lane workers: a valid webhook is acknowledged (signalWithStart) without them.
    stack = await startTestStack({
      lanes: [],
      provider: false,
      env: { WEBHOOK_TOLERANCE: `${TOLERANCE_S}s` },
    });
    secret = stack.config.webhooks.genericSecrets[0]!;
  });
  after(async () => {
    await stack?.stop();
  });

  async function deliver(apiUrl: string, d: Delivery): Promise<{ status: number; code?: string }> {
    const res = await fetch(`${apiUrl}/webhooks/generic`, {
      method: 'POST',
      headers: d.headers,
      body: d.body,
    });
    const json = (await res.json()) as { error?: { code: string } };
    return { status: res.status, code: json.error?.code };
  }

  async function exists(videoId: string): Promise<boolean> {
    try {
      await stack.client.workflow.getHandle(`video-${videoId}`).describe();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  it('accepts a delivery signed over a current timestamp', async () => {
    assert.deepEqual(await deliver(stack.apiUrl, signed(secret, 'gts-valid')), {
      status: 202,
      code: undefined,
    });
    assert.equal(await exists('gts-valid'), true);
  });

  it('refuses a stale timestamp with 401, however correct the signature', async () => {
    const stale = signed(secret, 'gts-stale', { ts: Math.floor(Date.now() / 1000) - 10 * TOLERANCE_S });
    assert.deepEqual(await deliver(stack.apiUrl, stale), { status: 401, code: 'stale_timestamp' });
    assert.equal(await exists('gts-stale'), false);
  });

  it('refuses a delivery without a timestamp (the untimed scheme) with 401', async () => {
    const untimed = signed(secret, 'gts-untimed', { untimed: true });
    assert.deepEqual(await deliver(stack.apiUrl, untimed), { status: 401, code: 'missing_signature' });
    assert.equal(await exists('gts-untimed'), false);
  });

  it('refuses a captured delivery replayed after the tolerance with 401', async () => {
    const captured = signed(secret, 'gts-replay');
    assert.equal((await deliver(stack.apiUrl, captured)).status, 202);
    // Within the tolerance the same bytes are a recognised duplicate; after it, not even that.
    assert.equal((await deliver(stack.apiUrl, captured)).status, 200);
    await new Promise((r) => setTimeout(r, (TOLERANCE_S + 2) * 1000));
    assert.deepEqual(await deliver(stack.apiUrl, captured), { status: 401, code: 'stale_timestamp' });
  });

  it('accepts the untimed scheme only with GENERIC_WEBHOOK_LEGACY_UNTIMED=true', async () => {
    // A second API on the same Temporal, configured for legacy senders.
    const config = loadConfig({ ...stack.env, GENERIC_WEBHOOK_LEGACY_UNTIMED: 'true' });
    const app = createApp({
      config,
      client: stack.client,
      log: createLogger('test', 'silent'),
      metrics: createApiMetrics(),
    });
    const server: Server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    try {
      const address = server.address();
      assert.ok(address && typeof address === 'object');
      const legacyUrl = `http://127.0.0.1:${address.port}`;
      assert.equal((await deliver(legacyUrl, signed(secret, 'gts-legacy', { untimed: true }))).status, 202);
      assert.equal(await exists('gts-legacy'), true);
      // A sender that does send a timestamp is still held to it.
      const stale = signed(secret, 'gts-legacy-stale', {
        ts: Math.floor(Date.now() / 1000) - 10 * TOLERANCE_S,
      });
      assert.equal((await deliver(legacyUrl, stale)).status, 401);
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  });
});
