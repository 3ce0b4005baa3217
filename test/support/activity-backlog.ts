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

/**
 * Waits (at most ~2 minutes) until every one of `workflowIds` has `activityType` scheduled and
 * not yet started. The backlog count is approximate; this is exact, run by run.
 */
export async function waitForScheduledActivity(
  stack: TestStack,
  workflowIds: string[],
  activityType: string,
): Promise<void> {
  const scheduled = proto.temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED;
  let waiting = workflowIds;
  for (let i = 0; i < 480 && waiting.length > 0; i++) {
    const open = await Promise.all(
      waiting.map(async (id) => {
        const { raw } = await stack.client.workflow.getHandle(id).describe();
        const pending = raw.pendingActivities?.find((a) => a.activityType?.name === activityType);
        return pending?.state === scheduled ? undefined : id;
      }),
    );
    waiting = open.filter((id): id is string => id !== undefined);
    if (waiting.length > 0) await sleep(250);
  }
  assert.deepEqual(waiting, [], `runs without a scheduled ${activityType}`);
}
