import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { inProcessProvider } from '../dev/storm/provider-control.js';
import { runStorm } from '../dev/storm/run-storm.js';
import { TASK_QUEUES } from '../src/shared/task-queues.js';
import { createLogger } from '../src/logger.js';
import { buildUrgentActivities } from '../src/workers/urgent-activities.js';
import { buildVideoActivities } from '../src/workers/video-activities.js';
import { startTestStack, type TestStack } from '../test/support/test-stack.js';
import { summarize, type LatencySummary } from './percentiles.js';
import { probeResets } from './reset-probe.js';
import {
  activityBacklog,
  queueSyntheticVideoJobs,
  syntheticVideoActivities,
} from './synthetic-video-load.js';

export interface ScenarioSpec {
  name: string;
  laneMode: 'dedicated' | 'shared';
  /** Synthetic video jobs queued before measuring (0 = idle). */
  videoBacklog: number;
}

export interface BenchSettings {
  durationMs: number;
  /** Webhooks per second from the simulated provider during saturated scenarios (0 = none). */
  webhooksPerSecond: number;
  resetsPerSecond: number;
  slowDownloadMs: number;
  log(line: string): void;
}

export interface ScenarioResult extends LatencySummary {
  name: string;
  laneMode: string;
  videoBacklogQueued: number;
  videoBacklogAtStart: number;
  videoBacklogAtEnd: number;
  /** What the webhook storm did meanwhile, when one ran. */
  storm?: { jobsCreated: number; webhooksAcked: number; serverErrors: number } | { error: string };
  rejected: number;
  undelivered: number;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };

/** One scenario on its own fresh stack (dev server, SMTP sink, API, lane workers). */
export async function runScenario(spec: ScenarioSpec, settings: BenchSettings): Promise<ScenarioResult> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: new URL('./workflows.ts', import.meta.url).pathname,
    logger: quiet,
  });
  const workflowBundle = await bundle;
  const stack: TestStack = await startTestStack({
    lanes: [],
    provider: true,
    env: { LANE_MODE: spec.laneMode },
  });
  try {
    const { config } = stack;
    const log = createLogger('bench', 'warn');
    const video = {
      ...buildVideoActivities(config, log),
      ...syntheticVideoActivities(settings.slowDownloadMs),
    };
    const videoQueue = spec.laneMode === 'shared' ? TASK_QUEUES.shared : TASK_QUEUES.video;
    if (spec.laneMode === 'shared') {
      await stack.startWorker('shared', {
        workflowBundle,
        activities: { ...video, ...buildUrgentActivities(config, log) },
      });
    } else {
      await stack.startWorker('urgent', { workflowBundle });
      await stack.startWorker('video', { workflowBundle, activities: video });
    }

    if (spec.videoBacklog > 0) {
      settings.log(`${spec.name}: queueing ${spec.videoBacklog} slow video jobs on "${videoQueue}"…`);
      await queueSyntheticVideoJobs(stack.client, videoQueue, spec.videoBacklog);
    }
    const backlog = () => activityBacklog(stack.client, config.temporal.namespace, videoQueue);
    const videoBacklogAtStart = await waitForBacklog(backlog, spec.videoBacklog * 0.7);

    const storm =
      spec.videoBacklog > 0 && settings.webhooksPerSecond > 0 ? startStorm(stack, settings) : undefined;
    // Warm-up (not measured): worker caches, the SMTP pool and the API's connection are ready.
    await probeResets({ ...probeBase(stack), perSecond: 5, durationMs: 1_000, deliveryTimeoutMs: 30_000 });
    settings.log(
      `${spec.name}: ${settings.resetsPerSecond}/s password resets for ${settings.durationMs / 1000}s…`,
    );
    const probe = await probeResets({
      ...probeBase(stack),
      perSecond: settings.resetsPerSecond,
      durationMs: settings.durationMs,
      deliveryTimeoutMs: 120_000,
    });
    const videoBacklogAtEnd = await backlog();
    return {
      storm: await storm,
      name: spec.name,
      laneMode: spec.laneMode,
      videoBacklogQueued: spec.videoBacklog,
      videoBacklogAtStart,
      videoBacklogAtEnd,
      rejected: probe.rejected,
      undelivered: probe.undelivered,
      ...summarize(probe.latenciesMs),
    };
  } finally {
    await stack.stop();
  }
}

/**
 * The scenario's webhook storm (dev/storm) beside the measurement: adopted provider jobs whose
 * signed webhooks (3 per job) arrive at the configured rate and become VideoJob work on the
 * video lane. It does not wait for those jobs to finish: the saturated lane would not let them.
 */
async function startStorm(stack: TestStack, settings: BenchSettings): Promise<ScenarioResult['storm']> {
  if (!stack.provider) return { error: 'no simulated provider' };
  const jobsPerSecond = settings.webhooksPerSecond / 3;
  try {
    const summary = await runStorm({
      mode: 'adopt',
      jobs: Math.round(jobsPerSecond * (settings.durationMs / 1000 + 5)),
      jobsPerSecond,
      burstMs: 1_000,
      chaos: {},
      apiUrl: stack.apiUrl,
      apiKey: stack.apiKey,
      provider: inProcessProvider(stack.provider),
      client: stack.client,
      timeoutMs: 1_000,
    });
    return {
      jobsCreated: summary.jobs.created,
      webhooksAcked: summary.webhooks.acked,
      serverErrors: summary.serverErrors,
    };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

function probeBase(stack: TestStack) {
  return {
    request: async (userId: string, email: string) =>
      (await stack.api('/password-resets', { method: 'POST', json: { userId, email } })).status,
    sink: stack.smtp,
  };
}

/** Waits (bounded) until the server shows the queued video work as backlog; returns what it saw. */
async function waitForBacklog(read: () => Promise<number>, atLeast: number): Promise<number> {
  let seen = await read();
  for (let i = 0; i < 240 && seen < atLeast; i++) {
    await new Promise((r) => setTimeout(r, 250));
    seen = await read();
  }
  return seen;
}
