import type { Client } from '@temporalio/client';
import { NO_CHAOS, type ChaosKnobs } from '../provider/chaos.js';
import { LatencyRecorder } from '../provider/latency-recorder.js';
import type { StormMode } from './args.js';
import { createJobCreator, type CreatedJob } from './job-creator.js';
import type { ProviderControl } from './provider-control.js';
import { driveAtRate } from './rate-driver.js';
import { checkStoredFiles } from './storage-check.js';
import { newRetryCounters, type RetryCounters } from './retrying-fetch.js';
import { sortServerAnswers, stormPassed, webhookSection, type StormSummary } from './summary.js';
import { waitForTerminal, type JobOutcome } from './wait-for-terminal.js';

export interface RunStormOptions {
  mode: StormMode;
  jobs: number;
  jobsPerSecond: number;
  burstMs: number;
  chaos: Partial<ChaosKnobs>;
  apiUrl: string;
  apiKey: string;
  provider: ProviderControl;
  client: Client;
  /** How long to wait, after the last job was created, for every job to be terminal. */
  timeoutMs: number;
  /** When set, every completed job must have exactly one file here. */
  storageDir?: string;
  /** How the storm's own calls are sent, and their retry counts (shared with the provider control). */
  send?: (url: string, init: RequestInit) => Promise<Response>;
  senderCounters?: RetryCounters;
  /** Receives a one-line status about once a second. */
  onProgress?(line: string): void;
}

/**
 * The storm: sets the provider's chaos, creates jobs at a steady rate in bursts, waits until
 * Temporal shows every job closed, and sums up what the provider saw. The chaos knobs are
 * switched off again at the end, whatever happens.
 */
export async function runStorm(opts: RunStormOptions): Promise<StormSummary> {
  const started = Date.now();
  const jobs: CreatedJob[] = [];
  const submitLatency = new LatencyRecorder();
  const submitStatuses: Record<string, number> = {};
  let outcomes = new Map<string, JobOutcome>();
  let phase = 'creating';

  await opts.provider.resetStats();
  await opts.provider.setChaos({ ...NO_CHAOS, ...opts.chaos });
  const stopProgress = startProgress(opts, () => ({ phase, jobs: jobs.length, outcomes, started }));
  try {
    const createBurst = createJobCreator({
      mode: opts.mode,
      apiUrl: opts.apiUrl,
      apiKey: opts.apiKey,
      provider: opts.provider,
      send: opts.send,
      onSubmitAnswer: (answer, ms) => {
        submitStatuses[answer] = (submitStatuses[answer] ?? 0) + 1;
        if (answer === '202') submitLatency.record(ms);
      },
    });
    await driveAtRate({
      total: opts.jobs,
      perSecond: opts.jobsPerSecond,
      burstMs: opts.burstMs,
      createBurst: async (count) => void jobs.push(...(await createBurst(count))),
    });

    phase = 'waiting';
    outcomes = await waitForTerminal({
      client: opts.client,
      videoIds: jobs.map((j) => j.videoId),
      timeoutMs: opts.timeoutMs,
      onSweep: (current) => (outcomes = new Map(current)),
    });
    phase = 'settling';
    await waitForDeliveriesToSettle(opts.provider, 15_000);
  } finally {
    stopProgress();
    await opts.provider.setChaos(NO_CHAOS).catch(() => undefined);
  }

  const stats = await opts.provider.stats();
  const completedIds = jobs.map((j) => j.videoId).filter((id) => outcomes.get(id) === 'completed');
  const lostIds = jobs
    .map((j) => j.videoId)
    .filter((id) => outcomes.get(id) !== 'completed' && outcomes.get(id) !== 'failed');
  const storage = opts.storageDir ? await checkStoredFiles(opts.storageDir, completedIds) : undefined;
  const submitted = jobs.filter((j) => j.via === 'submit').length;
  const gaveUpOn = new Set(stats.webhooks.gaveUpVideoIds);
  const recoveredAfterGiveUp = jobs.filter(
    (j) => gaveUpOn.has(j.videoId) && outcomes.get(j.videoId) !== 'pending',
  ).length;
  // The sender's counters see every attempt (a 500 retried into a 202 too); without them, the final answers.
  const { retryLater, serverErrors } = sortServerAnswers(
    stats.webhooks.failedByStatus,
    opts.senderCounters?.failedByStatus ?? submitStatuses,
  );
  const summary: StormSummary = {
    mode: opts.mode,
    elapsedMs: Date.now() - started,
    jobs: {
      requested: opts.jobs,
      created: jobs.length,
      submitted,
      adopted: jobs.length - submitted,
      submitRefused: Object.entries(submitStatuses)
        .filter(([s]) => s !== '202')
        .reduce((n, [, c]) => n + c, 0),
    },
    submitAnswers: { ...submitStatuses },
    webhooks: webhookSection(stats),
    ackLatencyMs: stats.ackLatencyMs,
    submitLatencyMs: submitLatency.summary(),
    outcomes: {
      completed: completedIds.length,
      failed: jobs.length - completedIds.length - lostIds.length,
      lost: lostIds.length,
      recoveredAfterGiveUp,
    },
    sender: structuredClone(opts.senderCounters ?? newRetryCounters()),
    retryLater,
    serverErrors,
    storage,
    lostIds,
    ok: false,
  };
  summary.ok = stormPassed(summary);
  return summary;
}

/** Late duplicates and redeliveries still count: wait (bounded) until the provider is idle. */
async function waitForDeliveriesToSettle(provider: ProviderControl, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const { webhooks } = await provider.stats();
    if (webhooks.queued === 0 && webhooks.inFlight === 0) {
      // Duplicates are scheduled up to a few hundred ms after their original.
      await new Promise((r) => setTimeout(r, 500));
      const again = await provider.stats();
      if (again.webhooks.queued === 0 && again.webhooks.inFlight === 0) return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function startProgress(
  opts: RunStormOptions,
  view: () => { phase: string; jobs: number; outcomes: ReadonlyMap<string, JobOutcome>; started: number },
): () => void {
  if (!opts.onProgress) return () => undefined;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    opts.provider
      .stats()
      .then((stats) => {
        const v = view();
        const counts = { completed: 0, failed: 0, pending: 0 };
        for (const o of v.outcomes.values()) counts[o] += 1;
        const w = stats.webhooks;
        opts.onProgress?.(
          `[${Math.round((Date.now() - v.started) / 1000)}s ${v.phase}] jobs ${v.jobs}/${opts.jobs}` +
            ` · webhooks sent ${w.attempts} acked ${w.acked} retries ${w.retries} dropped ${w.dropped}` +
            ` · queued ${w.queued + w.inFlight} · ack p99 ${stats.ackLatencyMs.p99} ms` +
            ` · completed ${counts.completed} failed ${counts.failed} open ${counts.pending}`,
        );
      })
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, 1_000);
  return () => clearInterval(timer);
}
