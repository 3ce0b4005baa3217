// Workflows the lane tests run beside the real ones: cheap stand-ins for video work and
// "your video is ready" mails, so a test can queue thousands of them.
import { proxyActivities } from '@temporalio/workflow';
import type { EmailActivities } from '../../src/activities/email.js';
import { PRIORITY } from '../../src/shared/task-queues.js';

export { passwordReset } from '../../src/workflows/password-reset.js';

/** What the lane tests' stand-in video worker implements. */
export interface LaneTestActivities {
  videoStep(input: { tenant: string; jobId: string }): Promise<void>;
}

export async function notifyVideoReady(input: { to: string; videoId: string }): Promise<void> {
  const { sendVideoReadyEmail } = proxyActivities<EmailActivities>({
    startToCloseTimeout: '30s',
    priority: { priorityKey: PRIORITY.notificationMail },
  });
  await sendVideoReadyEmail(input);
}

export async function tenantVideoJob(input: { tenant: string; jobId: string }): Promise<void> {
  const { videoStep } = proxyActivities<LaneTestActivities>({
    startToCloseTimeout: '10m',
    priority: { priorityKey: PRIORITY.freeVideo, fairnessKey: input.tenant },
  });
  await videoStep(input);
}
