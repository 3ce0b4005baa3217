import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { createReadinessCheck } from '../../../src/api/readiness.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';

/** /readyz is probed often: the poller check must cost one round of calls per second at most. */
describe('readiness check cache', () => {
  function countingClient() {
    const calls = { systemInfo: 0, describe: 0 };
    const fresh = { seconds: Math.floor(Date.now() / 1000) };
    const client = {
      withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn(),
      workflowService: {
        getSystemInfo: async () => void (calls.systemInfo += 1),
        describeTaskQueue: async () => {
          calls.describe += 1;
          return { pollers: [{ lastAccessTime: fresh }] };
        },
      },
    } as unknown as Client;
    return { client, calls };
  }

  it('answers a burst of probes from one check, and checks again after a second', async () => {
    const { client, calls } = countingClient();
    const check = createReadinessCheck({
      client,
      config: loadConfig({}),
      log: createLogger('test', 'silent'),
    });
    const answers = await Promise.all(Array.from({ length: 50 }, () => check()));
    assert.ok(answers.every((a) => a.ready));
    assert.equal(calls.systemInfo, 1);
    assert.equal(calls.describe, 4, 'two lanes × (workflow, activity)');
    await new Promise((r) => setTimeout(r, 1_100));
    await check();
    assert.equal(calls.systemInfo, 2);
  });

  it('counts a poller the server last saw minutes ago as gone', async () => {
    const { client } = countingClient();
    const stale = { seconds: Math.floor(Date.now() / 1000) - 300 };
    (client.workflowService as unknown as { describeTaskQueue: () => Promise<unknown> }).describeTaskQueue =
      async () => ({ pollers: [{ lastAccessTime: stale }] });
    const check = createReadinessCheck({
      client,
      config: loadConfig({}),
      log: createLogger('test', 'silent'),
    });
    assert.deepEqual(await check(), {
      ready: false,
      temporal: 'reachable',
      lanesWithoutWorkers: ['urgent', 'video'],
    });
  });
});
