import type { Client } from '@temporalio/client';
import { VIDEO_WORKFLOW_TYPE } from '../src/shared/video-job.js';

/** Video jobs in one execution status, as the server's visibility store counts them. */
export async function countVideoJobs(client: Client, status: 'Running' | 'Completed'): Promise<number> {
  const { count } = await client.workflow.count(
    `WorkflowType = "${VIDEO_WORKFLOW_TYPE}" AND ExecutionStatus = "${status}"`,
  );
  return count;
}
