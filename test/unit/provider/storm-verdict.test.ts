import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newRetryCounters, retryingFetch } from '../../../dev/storm/retrying-fetch.js';
import { checkStoredFiles } from '../../../dev/storm/storage-check.js';
import {
  formatSummary,
  sortServerAnswers,
  stormPassed,
  type StormSummary,
} from '../../../dev/storm/summary.js';

/** A run of two jobs that went well, as far as the parts under test are concerned. */
function cleanRun(): StormSummary {
  const latency = { count: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  return {
    mode: 'submit',
    elapsedMs: 1_000,
    jobs: { requested: 2, created: 2, submitted: 2, adopted: 0, submitRefused: 0 },
    submitAnswers: { '202': 2 },
    webhooks: {
      events: 6,
      attempts: 6,
      acked: 6,
      duplicatesSent: 0,
      answeredDuplicateOrLate: 0,
      dropped: 0,
      rejected: 0,
      retries: 0,
      gaveUp: 0,
      failedByStatus: {},
    },
    ackLatencyMs: latency,
    submitLatencyMs: latency,
    outcomes: { completed: 2, failed: 0, lost: 0, recoveredAfterGiveUp: 0 },
    sender: newRetryCounters(),
    retryLater: 0,
    serverErrors: 0,
    lostIds: [],
    ok: false,
  };
}

/** The storm's sender against a loopback server that answers from a script, then 202. */
describe('storm verdict: what fails a run and what does not', () => {
  let server: Server;
  let url: string;
  let script: Array<{ status: number; retryAfter?: string }> = [];

  before(async () => {
    server = createServer((_req, res) => {
      const next = script.shift() ?? { status: 202 };
      res.writeHead(next.status, next.retryAfter ? { 'retry-after': next.retryAfter } : {}).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/videos`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  /** Sends one call through the sender and returns the run as the storm would judge it. */
  async function runAfter(answers: typeof script): Promise<StormSummary> {
    script = [...answers];
    const counters = newRetryCounters();
    const res = await retryingFetch({ scheduleMs: [5, 5, 5, 5], attemptTimeoutMs: 1_000, counters })(url, {
      method: 'POST',
    });
    assert.equal(res.status, 202, 'the sender got through in the end');
    const run = { ...cleanRun(), sender: counters, ...sortServerAnswers(counters.failedByStatus) };
    run.ok = stormPassed(run);
    return run;
  }

  it('passes a run whose only 5xx are 503 + Retry-After, and shows them in the summary', async () => {
    const run = await runAfter([
      { status: 503, retryAfter: '0' },
      { status: 503, retryAfter: '0' },
      { status: 503, retryAfter: '0' },
    ]);
    assert.equal(run.retryLater, 3);
    assert.equal(run.serverErrors, 0);
    assert.equal(run.ok, true, JSON.stringify(run.sender));
    assert.match(formatSummary(run), /503 \+ Retry-After\s+3 /);
    assert.match(formatSummary(run), /result\s+OK/);
  });

  it('fails a run with one 500, even one the sender retried past', async () => {
    const run = await runAfter([{ status: 503, retryAfter: '0' }, { status: 500 }]);
    assert.deepEqual(
      { retryLater: run.retryLater, serverErrors: run.serverErrors },
      { retryLater: 1, serverErrors: 1 },
    );
    assert.equal(run.ok, false);
    assert.match(formatSummary(run), /result\s+FAILED/);
  });

  it('fails a run with a 503 that gives no Retry-After', async () => {
    const run = await runAfter([{ status: 503 }]);
    assert.equal(run.serverErrors, 1);
    assert.equal(run.ok, false);
  });

  it('fails a run that lost one job', () => {
    const run = cleanRun();
    run.outcomes = { ...run.outcomes, completed: 1, lost: 1 };
    assert.equal(stormPassed(run), false);
    assert.equal(stormPassed(cleanRun()), true);
  });

  it('fails a run where a job has two stored files, or none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'storm-verdict-'));
    try {
      writeFileSync(join(dir, 'one.mp4'), 'x');
      writeFileSync(join(dir, 'two.mp4'), 'x');
      assert.equal(
        stormPassed({ ...cleanRun(), storage: await checkStoredFiles(dir, ['one', 'two']) }),
        true,
      );
      writeFileSync(join(dir, 'two.webm'), 'x');
      assert.equal(
        stormPassed({ ...cleanRun(), storage: await checkStoredFiles(dir, ['one', 'two']) }),
        false,
      );
      assert.equal(
        stormPassed({ ...cleanRun(), storage: await checkStoredFiles(dir, ['one', 'three']) }),
        false,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
