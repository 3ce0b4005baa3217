import { cancellationSignal } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { isProviderStatus, type ProviderStatus } from '../../shared/video-job.js';
import { outputUrl, type Prediction, type ReplicateClient } from './replicate-client.js';

export interface ProviderActivityDeps {
  client: ReplicateClient;
  modelVersion: string;
  /** Where the provider should send webhooks for this video. */
  webhookUrlFor(job: { videoId: string; tenantId: string }): string;
}

/** The provider's answer, normalized. */
export interface ProviderSnapshot {
  providerJobId: string;
  status: ProviderStatus;
  downloadUrl?: string;
  error?: string;
}

/** Provider calls for the VideoJob workflow: submit a job, read its status (reconciliation). */
export function createProviderActivities(deps: ProviderActivityDeps) {
  return {
    async submitVideoJob(job: {
      videoId: string;
      tenantId: string;
      input: Record<string, unknown>;
    }): Promise<ProviderSnapshot> {
      const prediction = await deps.client.createPrediction(
        {
          version: deps.modelVersion,
          input: job.input,
          webhook: deps.webhookUrlFor(job),
          webhook_events_filter: ['start', 'output', 'completed'],
        },
        cancellationSignal(),
      );
      return snapshot(prediction);
    },

    async getVideoJobStatus(job: { providerJobId: string }): Promise<ProviderSnapshot> {
      return snapshot(await deps.client.getPrediction(job.providerJobId, cancellationSignal()));
    },
  };
}

function snapshot(p: Prediction): ProviderSnapshot {
  if (!isProviderStatus(p.status)) {
    throw ApplicationFailure.nonRetryable(
      `provider returned unknown status "${p.status}"`,
      'BadProviderResponse',
    );
  }
  const downloadUrl = outputUrl(p.output);
  const error = typeof p.error === 'string' && p.error ? p.error : undefined;
  return {
    providerJobId: p.id,
    status: p.status,
    ...(downloadUrl && { downloadUrl }),
    ...(error && { error }),
  };
}
