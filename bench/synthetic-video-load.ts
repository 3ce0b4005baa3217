import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { PRIORITY } from '../src/shared/task-queues.js';
import type { SyntheticVideoActivities } from './workflows.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A "download" that holds its activity slot for `ms`, like a slow provider file. */
export function syntheticVideoActivities(ms: number): SyntheticVideoActivities {
  return { slowDownload: () => sleep(ms) };
}

/** Queues `count` synthetic video jobs from three tenants, as fast as the server takes them. */
export async function queueSyntheticVideoJobs(
  client: Client,
  taskQueue: string,
  count: number,
): Promise<void> {
  const run = Math.random().toString(36).slice(2, 8);
  for (let i = 0; i < count; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, count - i) }, (_, j) => {
        const tenant = `tenant-${(i + j) % 3}`;
        return client.workflow.start('syntheticVideoJob', {
          taskQueue,
          workflowId: `bench-video-${run}-${i + j}`,
          args: [{ tenant, jobId: `${i + j}` }],
          priority: { priorityKey: PRIORITY.paidVideo, fairnessKey: tenant },
        });
      }),
    );
  }
}

/** The server's count of activity tasks waiting on a queue. */
export async function activityBacklog(client: Client, namespace: string, taskQueue: string): Promise<number> {
  const { stats } = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    reportStats: true,
  });
  return Number(stats?.approximateBacklogCount ?? 0);
}
