import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from '../support/time-skipping.js';

describe('time-skipping environment', function () {
  let env: TestWorkflowEnvironment;
  before(async function () {
    env = await createTimeSkippingEnv();
  });
  after(async () => {
    await env?.teardown();
  });

  it('skips a three-hour durable timer in well under a second of wall time', async () => {
    const taskQueue = `ts-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: new URL('./fixtures/sleepy.ts', import.meta.url).pathname,
    });
    const started = Date.now();
    const slept = await worker.runUntil(
      env.client.workflow.execute('sleepFor', { taskQueue, workflowId: randomUUID(), args: [3 * 3600_000] }),
    );
    assert.ok(slept >= 3 * 3600_000, `workflow time advanced only ${slept} ms`);
    assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms of wall time`);
  });
});
