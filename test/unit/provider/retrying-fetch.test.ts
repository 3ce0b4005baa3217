import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compressedSchedule } from '../../../dev/storm/retry-schedule.js';
import { newRetryCounters, retryingFetch } from '../../../dev/storm/retrying-fetch.js';
import { freePort } from '../../support/free-port.js';

/** The storm's own sender against a real HTTP server on loopback that answers from a script. */
describe('storm sender retries like a webhook sender', () => {
  let server: Server;
  let url: string;
  let script: number[] = [];
  let hits = 0;

  before(async () => {
    server = createServer((req, res) => {
      hits += 1;
      const status = script.shift() ?? 202;
      if (status === 0) return; // never answers: the attempt times out
      res.writeHead(status, status === 429 || status === 503 ? { 'retry-after': '0' } : {}).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/videos`;
  });
  beforeEach(() => {
    hits = 0;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const fast = [5, 5, 5, 5];

  it('retries 5xx, 429, 408 and timeouts, and returns the first answer that is not retryable', async () => {
    script = [503, 429, 0, 408, 202];
    const counters = newRetryCounters();
    const res = await retryingFetch({ scheduleMs: fast, attemptTimeoutMs: 300, counters })(url, {
      method: 'POST',
    });
    assert.equal(res.status, 202);
    assert.equal(hits, 5);
    assert.deepEqual(counters, {
      calls: 1,
      retries: 4,
      gaveUp: 0,
      failedByStatus: { '503': 1, '429': 1, timeout: 1, '408': 1 },
    });
  });

  it('does not retry other 4xx', async () => {
    script = [400];
    const counters = newRetryCounters();
    const res = await retryingFetch({ scheduleMs: fast, attemptTimeoutMs: 300, counters })(url);
    assert.equal(res.status, 400);
    assert.equal(hits, 1);
    assert.equal(counters.retries, 0);
  });

  it('gives up after the last scheduled retry and counts it', async () => {
    script = [500, 500, 500, 500, 500, 500];
    const counters = newRetryCounters();
    const res = await retryingFetch({ scheduleMs: fast, attemptTimeoutMs: 300, counters })(url);
    assert.equal(res.status, 500);
    assert.equal(hits, fast.length + 1);
    assert.equal(counters.gaveUp, 1);
    assert.equal(counters.failedByStatus['500'], fast.length + 1);
  });

  it('retries a refused connection, then throws and counts the give-up', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/`;
    const counters = newRetryCounters();
    await assert.rejects(retryingFetch({ scheduleMs: fast, attemptTimeoutMs: 300, counters })(closed));
    assert.deepEqual(counters, { calls: 1, retries: 4, gaveUp: 1, failedByStatus: { network: 5 } });
  });

  it('compresses the Standard Webhooks schedule (5 s … 10 h) to seconds', () => {
    assert.deepEqual(compressedSchedule(), [250, 1_000, 6_000, 24_000, 60_000, 120_000, 120_000]);
    assert.deepEqual(compressedSchedule(3600), [250, 250, 500, 2_000, 5_000, 10_000, 10_000]);
  });
});
