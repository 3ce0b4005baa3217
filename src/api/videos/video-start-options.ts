import type { WorkflowStartOptions } from '@temporalio/client';
import type { Config } from '../../config.js';
import { TenantIdAttribute, VideoStatusAttribute } from '../../shared/search-attributes.js';
import { PRIORITY, taskQueueFor } from '../../shared/task-queues.js';
import { videoWorkflowId, type VideoJobInput } from '../../shared/video-job.js';
import type { videoJob } from '../../workflows/video-job.js';

/**
 * How every VideoJob run starts, whichever door it came in by: its business-key id, the
 * video lane, priority by plan with the tenant as fairness key, search attributes the Web
 * UI filters on, and a one-line summary.
 */
export function videoStartOptions(
  config: Config,
  input: VideoJobInput,
  origin: string,
): WorkflowStartOptions<typeof videoJob> & { workflowId: string; taskQueue: string } {
  const weight = config.lanes.tenantFairnessWeights[input.tenantId];
  return {
    workflowId: videoWorkflowId(input.videoId),
    taskQueue: taskQueueFor('video', config.lanes.mode),
    // The run's bounds are today's settings, also for a retry of an older run.
    args: [
      {
        ...input,
        maxEvents: config.webhooks.videoJobMaxEvents,
        downloadInTaskMaxBytes: config.provider.downloadInTaskMaxBytes,
      },
    ],
    priority: {
      priorityKey: input.plan === 'paid' ? PRIORITY.paidVideo : PRIORITY.freeVideo,
      fairnessKey: input.tenantId,
      ...(weight !== undefined && { fairnessWeight: weight }),
    },
    typedSearchAttributes: [
      { key: TenantIdAttribute, value: input.tenantId },
      { key: VideoStatusAttribute, value: input.submit ? 'submitting' : 'waiting' },
    ],
    staticSummary: `Video ${input.videoId} for tenant ${input.tenantId} (${input.plan}, ${origin})`,
  };
}
