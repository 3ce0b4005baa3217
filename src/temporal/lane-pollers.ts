import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

const { TaskQueueType } = proto.temporal.api.enums.v1;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * An idle worker renews its long poll about once a minute; a poller the server last saw
 * longer ago than this belongs to a worker that is gone (the server keeps listing dead
 * pollers for minutes).
 */
export const POLLER_FRESH_MS = 90_000;

function seenRecently(
  pollers: proto.temporal.api.taskqueue.v1.IPollerInfo[] | null | undefined,
  now: number,
): boolean {
  return (pollers ?? []).some((p) => {
    const seconds = Number(p.lastAccessTime?.seconds ?? 0);
    return seconds === 0 || now - seconds * 1000 < POLLER_FRESH_MS;
  });
}

/**
 * The task queues among `taskQueues` that no live worker polls for both workflow and
 * activity tasks, as the Temporal server sees it. Empty means every lane can take work.
 */
export async function queuesWithoutPollers(
  client: Client,
  namespace: string,
  taskQueues: readonly string[],
): Promise<string[]> {
  const now = Date.now();
  const polled = async (name: string, taskQueueType: proto.temporal.api.enums.v1.TaskQueueType) => {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name },
      taskQueueType,
    });
    return seenRecently(pollers, now);
  };
  const answers = await Promise.all(
    taskQueues.map(
      async (q) =>
        [
          q,
          (await polled(q, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW)) &&
            (await polled(q, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)),
        ] as const,
    ),
  );
  return answers.filter(([, ok]) => !ok).map(([q]) => q);
}

/** Waits until a worker polls `taskQueue` for workflow and activity tasks. */
export async function waitForPollers(
  client: Client,
  namespace: string,
  taskQueue: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await queuesWithoutPollers(client, namespace, [taskQueue])).length === 0) return;
    if (Date.now() > deadline) throw new Error(`no worker polls "${taskQueue}" within ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}
