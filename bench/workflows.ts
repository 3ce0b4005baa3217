// The bench's workflow bundle: the real workflows plus a synthetic video job that keeps the
// video lane's slots busy on slow "downloads".
import { proxyActivities } from '@temporalio/workflow';
import { PRIORITY } from '../src/shared/task-queues.js';

export { passwordReset } from '../src/workflows/password-reset.js';
export { videoJob } from '../src/workflows/video-job.js';

export interface SyntheticVideoActivities {
  slowDownload(input: { tenant: string; jobId: string }): Promise<void>;
}

export async function syntheticVideoJob(input: { tenant: string; jobId: string }): Promise<void> {
  const { slowDownload } = proxyActivities<SyntheticVideoActivities>({
    startToCloseTimeout: '10m',
    priority: { priorityKey: PRIORITY.paidVideo, fairnessKey: input.tenant },
  });
  await slowDownload(input);
}
