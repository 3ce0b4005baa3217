import assert from 'node:assert/strict';
import { Client, Connection } from '@temporalio/client';
import { DEV_DEFAULTS } from '../../src/config.js';
import { DEV_SERVER_PROFILE } from '../../dev/faults/fault-catalog.js';
import { formatFaultTable } from '../../dev/faults/fault-table.js';
import { startNpmStack, type NpmStartStack } from '../../dev/faults/npm-start-process.js';
import { runFault, type FaultResult } from '../../dev/faults/run-fault.js';

/**
 * The fault suite in CI's size (`npm run faults -- --short`): one `npm start`, and for each
 * fault of the dev-server profile a short storm with resets running, the fault injected
 * part-way, then every job and reset followed to its end. `npm run faults` runs the long form.
 */
describe('faults under load (npm start, short form)', function () {
  this.timeout(600_000);
  let stack: NpmStartStack;
  let connection: Connection;
  const results: FaultResult[] = [];

  before(async () => {
    stack = await startNpmStack({ RECONCILE_AFTER: '30s' });
    connection = await Connection.connect({ address: stack.temporalAddress });
  });
  after(async () => {
    if (results.length) process.stdout.write(`${formatFaultTable(results)}\n`);
    await connection?.close();
    await stack?.stop();
  });

  for (const fault of DEV_SERVER_PROFILE.faults) {
    it(`${fault.name}: nothing lost, one file per job, every reset mailed, recovered`, async () => {
      const result = await runFault({
        stack,
        client: new Client({ connection }),
        apiKey: DEV_DEFAULTS.apiKey,
        fault,
        webhooksPerMinute: 600,
        loadMs: 12_000,
        faultAtMs: 3_000,
        windowMs: 8_000,
        resetEveryMs: 1_000,
        settleTimeoutMs: 120_000,
      });
      results.push(result);
      assert.equal(result.lost.jobs, 0, `lost jobs: ${result.lost.lostJobIds.join(', ')}`);
      assert.equal(result.lost.resets, 0, 'every accepted reset was mailed');
      assert.ok(result.jobs.oneFileEach, 'exactly one stored file per completed job');
      assert.equal(result.jobs.failed, 0);
      assert.ok(result.jobs.created > 0 && result.seen.resets > 0, 'the load ran');
      assert.notEqual(result.recoveryMs, null, 'the stack recovered');
      assert.ok(result.ok, JSON.stringify(result));
    });
  }
});
