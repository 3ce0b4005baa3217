import assert from 'node:assert/strict';
import { startSimulatedProvider, type SimulatedProvider } from '../../dev/provider/simulated-provider.js';
import { inProcessProvider } from '../../dev/storm/provider-control.js';
import { runStorm } from '../../dev/storm/run-storm.js';
import { freePort } from '../support/free-port.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/**
 * A webhook the provider gave up on is not a lost job: the job's reconciliation polls the
 * provider and finishes it, and the storm counts it as recovered, apart from "lost".
 */
describe('storm: webhooks the provider gave up on are recovered by polling', function () {
  this.timeout(180_000);
  let stack: TestStack;
  let provider: SimulatedProvider;

  before(async () => {
    // The webhook URL Floodgate hands the provider points at a closed port: every delivery fails.
    const closed = `http://127.0.0.1:${await freePort()}`;
    stack = await startTestStack({
      provider: false,
      env: { PUBLIC_BASE_URL: closed, RECONCILE_AFTER: '2s', LOG_LEVEL: 'error' },
    });
    provider = await startSimulatedProvider({
      port: Number(new URL(stack.providerUrl).port),
      apiToken: stack.config.provider.apiToken,
      webhookSecret: stack.config.webhooks.replicateSecrets[0]!,
      delivery: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20, timeoutMs: 1_000 },
    });
  });
  after(async () => {
    await provider?.stop();
    await stack?.stop();
  });

  it('counts every such job as recovered and none as lost', async () => {
    const summary = await runStorm({
      mode: 'submit',
      jobs: 4,
      jobsPerSecond: 4,
      burstMs: 1_000,
      chaos: {},
      apiUrl: stack.apiUrl,
      apiKey: stack.apiKey,
      provider: inProcessProvider(provider),
      client: stack.client,
      timeoutMs: 120_000,
      storageDir: stack.config.storageDir,
    });
    assert.equal(summary.jobs.created, 4);
    assert.ok(summary.webhooks.gaveUp >= 4, `the provider gave up on ${summary.webhooks.gaveUp} webhooks`);
    assert.equal(summary.webhooks.acked, 0, 'no webhook reached Floodgate');
    assert.equal(summary.outcomes.lost, 0);
    assert.equal(summary.outcomes.completed, 4);
    assert.equal(summary.outcomes.recoveredAfterGiveUp, 4);
    assert.equal(summary.storage?.exactlyOne, 4);
  });
});
