import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { inProcessProvider } from '../../dev/storm/provider-control.js';
import { runStorm } from '../../dev/storm/run-storm.js';
import { formatSummary, type StormSummary } from '../../dev/storm/summary.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const JOBS = 500;

/**
 * The original scenario end to end: 500 video jobs through the real stack (dev server, API,
 * workers, simulated provider over HTTP) while the provider drops 10% of webhooks, duplicates
 * 20%, reorders them and fails 5% of status and file requests. Nothing may be lost.
 */
describe('storm: 500 jobs through the real stack under webhook chaos', function () {
  this.timeout(240_000);
  let stack: TestStack;
  let summary: StormSummary;

  before(async function () {
    this.timeout(120_000);
    // Dropped webhooks are recovered by polling; a short reconcile delay keeps the run short.
    stack = await startTestStack({ env: { RECONCILE_AFTER: '5s', LOG_LEVEL: 'error' } });
    summary = await runStorm({
      mode: 'mixed',
      jobs: JOBS,
      jobsPerSecond: 12,
      burstMs: 1_000,
      chaos: {
        dropPercent: 10,
        duplicatePercent: 20,
        reorder: true,
        statusErrorPercent: 5,
        fileErrorPercent: 5,
      },
      apiUrl: stack.apiUrl,
      apiKey: stack.apiKey,
      provider: inProcessProvider(stack.provider!),
      client: stack.client,
      timeoutMs: 120_000,
      storageDir: stack.config.storageDir,
    });
    console.log(`${formatSummary(summary)}\n`);
  });
  after(async function () {
    this.timeout(60_000);
    await stack?.stop();
  });

  it('creates every job, half submitted through the API and half adopted from webhooks', () => {
    assert.equal(summary.jobs.created, JOBS);
    assert.equal(summary.jobs.submitted, JOBS / 2);
    assert.equal(summary.jobs.adopted, JOBS / 2);
    assert.equal(summary.jobs.submitRefused, 0);
  });

  it('actually applied the chaos: drops, duplicates, status and file errors', () => {
    const stats = stack.provider!.stats();
    assert.ok(summary.webhooks.dropped > 0, 'some webhooks were dropped');
    assert.ok(summary.webhooks.duplicatesSent > 0, 'some webhooks were duplicated');
    assert.ok(summary.webhooks.answeredDuplicateOrLate > 0, 'Floodgate recognised duplicates (200)');
    assert.ok(stats.routes.statusRequests > 0, 'dropped terminal events were recovered by polling');
    assert.ok(stats.routes.fileErrors > 0, 'some downloads hit a 500 and were retried');
  });

  it('completes every job and loses none', () => {
    const { completed, failed, lost } = summary.outcomes;
    assert.deepEqual(
      { completed, failed, lost },
      { completed: JOBS, failed: 0, lost: 0 },
      `lost: ${summary.lostIds.join(', ')}`,
    );
  });

  it('acknowledges every webhook without a single 5xx', () => {
    assert.equal(summary.serverErrors, 0, JSON.stringify(summary.webhooks.failedByStatus));
    assert.equal(summary.webhooks.rejected, 0);
    assert.equal(summary.webhooks.gaveUp, 0);
    assert.ok(summary.ackLatencyMs.count > 0);
  });

  it('stores exactly one file per job and nothing else', async () => {
    assert.equal(summary.storage?.exactlyOne, JOBS);
    assert.deepEqual(summary.storage?.missing, []);
    assert.deepEqual(summary.storage?.multiple, []);
    const files = await readdir(stack.config.storageDir);
    assert.equal(files.length, JOBS, 'no temp or stray files');
  });
});
