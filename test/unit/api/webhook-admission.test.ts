import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { createApiMetrics } from '../../../src/api/metrics.js';
import { errorHandler } from '../../../src/api/middleware/error-handler.js';
import { webhookAdmission } from '../../../src/api/middleware/webhook-admission.js';
import { createLogger } from '../../../src/logger.js';

describe('webhook admission control', () => {
  let server: Server;
  let base: string;
  const metrics = createApiMetrics();
  let release: () => void = () => undefined;

  before(async () => {
    const app = new Koa();
    app.use(errorHandler({ log: createLogger('test', 'silent') }));
    app.use(webhookAdmission({ initial: 1, min: 1, max: 1, targetMs: 50, metrics }));
    // Every request is held until the test lets it go, so the first webhook occupies the one slot.
    const gate = () => new Promise<void>((r) => (release = r));
    app.use(async (ctx) => {
      if (ctx.path.startsWith('/webhooks/')) await gate();
      ctx.status = 202;
    });
    server = createServer(app.callback()).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    release();
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });

  it('answers 503 with Retry-After above the limit, never limits password resets, and counts it', async () => {
    const first = fetch(`${base}/webhooks/replicate`, { method: 'POST' });
    await new Promise((r) => setTimeout(r, 100));
    const second = await fetch(`${base}/webhooks/replicate`, { method: 'POST' });
    assert.equal(second.status, 503);
    assert.equal(second.headers.get('retry-after'), '1');
    const reset = await fetch(`${base}/password-resets`, { method: 'POST' });
    assert.equal(reset.status, 202);
    release();
    assert.equal((await first).status, 202);
    // The slot is free again: the next webhook is admitted.
    const third = fetch(`${base}/webhooks/replicate`, { method: 'POST' });
    await new Promise((r) => setTimeout(r, 100));
    release();
    assert.equal((await third).status, 202);
    const rejected = await metrics.admissionRejected.get();
    assert.equal(rejected.values[0]?.value, 1);
  });
});
