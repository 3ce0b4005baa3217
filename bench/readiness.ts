import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

const { TaskQueueType } = proto.temporal.api.enums.v1;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `url` until it answers 2xx. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

/**
 * Waits until a worker polls `taskQueue` for both workflow and activity tasks, as the server
 * sees it: the worker process has bundled its workflows and is taking work.
 */
export async function waitForPollers(
  client: Client,
  namespace: string,
  taskQueue: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const polled = async (taskQueueType: proto.temporal.api.enums.v1.TaskQueueType) => {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue },
      taskQueueType,
    });
    return (pollers?.length ?? 0) > 0;
  };
  for (;;) {
    if (
      (await polled(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW)) &&
      (await polled(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY))
    )
      return;
    if (Date.now() > deadline) throw new Error(`no worker polls "${taskQueue}" within ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}
