import type { Client } from '@temporalio/client';
// The package is CommonJS: a default import works under both Node's ESM loader and mocha.
import proto from '@temporalio/proto';

export interface LaneBacklog {
  taskQueue: string;
  /** Workflow + activity tasks waiting for a worker (sync-matched tasks are not counted). */
  backlogCount: number;
  /** Age of the oldest waiting task, in seconds. */
  oldestAgeSeconds: number;
  /** Tasks added and dispatched per second (server's 30 s average). */
  addRate: number;
  dispatchRate: number;
}

const { TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY } = proto.temporal.api.enums.v1.TaskQueueType;

/** Reads the server's own backlog statistics for one task queue (both task types). */
export async function readLaneBacklog(
  client: Client,
  namespace: string,
  taskQueue: string,
): Promise<LaneBacklog> {
  const types = [TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY];
  const answers = await Promise.all(
    types.map((taskQueueType) =>
      client.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: taskQueue },
        taskQueueType,
        reportStats: true,
      }),
    ),
  );
  const total: LaneBacklog = { taskQueue, backlogCount: 0, oldestAgeSeconds: 0, addRate: 0, dispatchRate: 0 };
  for (const { stats } of answers) {
    if (!stats) continue;
    total.backlogCount += Number(stats.approximateBacklogCount ?? 0);
    const age =
      Number(stats.approximateBacklogAge?.seconds ?? 0) + (stats.approximateBacklogAge?.nanos ?? 0) / 1e9;
    total.oldestAgeSeconds = Math.max(total.oldestAgeSeconds, age);
    total.addRate += stats.tasksAddRate ?? 0;
    total.dispatchRate += stats.tasksDispatchRate ?? 0;
  }
  return total;
}
