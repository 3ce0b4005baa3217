import assert from 'node:assert/strict';
import proto from '@temporalio/proto';
import type { TestStack } from './test-stack.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Activity tasks waiting in a queue's backlog, as the server counts them. */
export async function activityBacklog(stack: TestStack, taskQueue: string): Promise<number> {
  const { stats } = await stack.client.workflowService.describeTaskQueue({
    namespace: stack.config.temporal.namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    reportStats: true,
  });
  return Number(stats?.approximateBacklogCount ?? 0);
}

/** Waits (at most ~2 minutes) until the activity backlog reaches `count`, and fails otherwise. */
export async function waitForActivityBacklog(
  stack: TestStack,
  taskQueue: string,
  count: number,
): Promise<void> {
  let seen = 0;
  for (let i = 0; i < 480 && seen < count; i++) {
    seen = await activityBacklog(stack, taskQueue);
    if (seen < count) await sleep(250);
  }
  assert.ok(seen >= count, `activity backlog on ${taskQueue}: ${seen}, expected ${count}`);
}
