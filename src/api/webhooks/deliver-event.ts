import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { providerEventSignal, VIDEO_WORKFLOW_TYPE, type ProviderEvent } from '../../shared/video-job.js';
import type { videoJob } from '../../workflows/video-job.js';
import type { ApiDeps } from '../deps.js';
import { OverBudgetError, UnavailableError } from '../errors.js';
import { isOverBudget } from '../../temporal/over-budget.js';
import { videoStartOptions } from '../videos/video-start-options.js';
import type { NormalizedWebhook } from './webhook-adapter.js';

export type DeliveryOutcome = 'accepted' | 'late';

/**
 * Hands one event to its VideoJob: signals the running job, or starts (adopts) it with the
 * event as its first signal — one atomic call. A closed job is never re-opened
 * (REJECT_DUPLICATE): its events are "late". The answer waits for the server, bounded by the
 * ack deadline; anything short of the server's yes is a 503 so the sender retries. A refusal over
 * the video namespace's budget (the engine's lane isolation) is a 503 too, with a short Retry-After.
 */
export async function deliverEvent(
  deps: Pick<ApiDeps, 'client' | 'config' | 'log'>,
  source: string,
  webhook: NormalizedWebhook,
): Promise<DeliveryOutcome> {
  const { event } = webhook;
  const options = videoStartOptions(
    deps.config,
    {
      videoId: event.videoId,
      tenantId: webhook.tenantId,
      plan: webhook.plan,
      submit: false,
      reconcileAfterMs: deps.config.provider.reconcileAfterMs,
      ...(event.providerJobId && { providerJobId: event.providerJobId }),
    },
    `adopted from a ${source} webhook`,
  );
  const deadline = Date.now() + deps.config.webhooks.ackDeadlineMs;
  try {
    await deps.client.withDeadline(deadline, () =>
      deps.client.workflow.signalWithStart<typeof videoJob, [ProviderEvent]>(VIDEO_WORKFLOW_TYPE, {
        ...options,
        signal: providerEventSignal,
        signalArgs: [event],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      }),
    );
    return 'accepted';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'late';
    // The video namespace's budget on the server is spent: say so at once, retry soon.
    if (isOverBudget(err)) throw new OverBudgetError();
    deps.log.warn(
      { err: String(err), videoId: event.videoId, eventId: event.eventId },
      'webhook not recorded',
    );
    throw new UnavailableError('could not record the event in time; retry later', 5);
  }
}
