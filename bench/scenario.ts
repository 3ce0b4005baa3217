import { httpProvider } from '../dev/storm/provider-control.js';
import { TASK_QUEUES, type LaneMode } from '../src/shared/task-queues.js';
import { startBenchStack, type BenchStack } from './bench-stack.js';
import { summarize, type LatencySummary } from '../dev/provider/latency-recorder.js';
import { startCpuWindow, type CpuUse } from './machine-load.js';
import { breakDownResets, type PhaseBreakdown } from './reset-phases.js';
import { probeResets, type ProbeCounters } from './reset-probe.js';
import type { BenchStormSummary } from './storm.js';
import { activityBacklog, queueSyntheticVideoJobs } from './synthetic-video-load.js';

export interface ScenarioSpec {
  name: string;
  laneMode: LaneMode;
  /** Synthetic video jobs queued before measuring (0 = idle). */
  videoBacklog: number;
}

export interface BenchSettings {
  durationMs: number;
  /** Resets sent (not measured) before the measurement, under the scenario's load. */
  warmUpMs: number;
  /** Webhooks per second from the simulated provider during saturated scenarios (0 = none). */
  webhooksPerSecond: number;
  resetsPerSecond: number;
  slowDownloadMs: number;
  /** Show every line the child processes print. */
  verbose: boolean;
  log(line: string): void;
}

export interface ScenarioResult extends LatencySummary {
  name: string;
  laneMode: string;
  /** The worker processes that served this scenario. */
  workers: string[];
  videoBacklogQueued: number;
  videoBacklogAtStart: number;
  videoBacklogAtEnd: number;
  /** What the webhook storm did meanwhile, when one ran. */
  storm?: BenchStormSummary | { error: string };
  rejected: number;
  undelivered: number;
  /** Where the time went, from each reset's workflow history. */
  breakdown: PhaseBreakdown;
  /** CPU used during the measurement, by the bench's processes and by anything else. */
  cpu?: CpuUse;
}

const root = new URL('../', import.meta.url).pathname;
const PROGRESS_EVERY_MS = 5_000;

/** One scenario on its own fresh multi-process stack; every child is stopped before it returns. */
export async function runScenario(spec: ScenarioSpec, settings: BenchSettings): Promise<ScenarioResult> {
  const workers = spec.laneMode === 'shared' ? ['worker-shared'] : ['worker-urgent', 'worker-video'];
  settings.log(`${spec.name}: starting Temporal, api, provider-sim, ${workers.join(', ')}…`);
  const stack = await startBenchStack({
    laneMode: spec.laneMode,
    slowDownloadMs: settings.slowDownloadMs,
    verbose: settings.verbose,
    log: settings.log,
  });
  try {
    return await Promise.race([stack.failure, measure(stack, spec, workers, settings)]);
  } finally {
    await stack.stop();
  }
}

async function measure(
  stack: BenchStack,
  spec: ScenarioSpec,
  workers: string[],
  settings: BenchSettings,
): Promise<ScenarioResult> {
  const { config, client } = stack;
  const videoQueue = spec.laneMode === 'shared' ? TASK_QUEUES.shared : TASK_QUEUES.video;
  if (spec.videoBacklog > 0) {
    settings.log(`${spec.name}: queueing ${spec.videoBacklog} slow video jobs on "${videoQueue}"…`);
    await queueSyntheticVideoJobs(client, videoQueue, spec.videoBacklog);
  }
  const backlog = () => activityBacklog(client, config.temporal.namespace, videoQueue);
  const videoBacklogAtStart = await waitForBacklog(backlog, spec.videoBacklog * 0.7);

  let stormResult: Promise<ScenarioResult['storm']> | undefined;
  if (spec.videoBacklog > 0 && settings.webhooksPerSecond > 0) {
    // Outlasts warm-up and measurement, with 5 s to spare.
    const seconds = (settings.warmUpMs + settings.durationMs) / 1000 + 5;
    const job = stack.startJob('storm', `${root}bench/storm.ts`, [
      '--webhooks-per-second',
      String(settings.webhooksPerSecond),
      '--seconds',
      String(seconds),
    ]);
    stormResult = job.output.then(
      (out) => JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as BenchStormSummary,
      (err: unknown) => ({ error: err instanceof Error ? err.message : String(err) }),
    );
    await waitForStormTraffic(stack, 30_000);
  }

  // Warm-up (not measured), under the same load: worker caches, the SMTP pool and the API's
  // connection are ready, and the storm process is past its start-up (loading and compiling
  // its code on this machine's cores, which a real provider would not).
  settings.log(`${spec.name}: warm-up ${settings.warmUpMs / 1000}s…`);
  await probeResets({
    ...probeBase(stack),
    perSecond: settings.resetsPerSecond,
    durationMs: settings.warmUpMs,
    deliveryTimeoutMs: 30_000,
  });
  settings.log(
    `${spec.name}: ${settings.resetsPerSecond}/s password resets for ${settings.durationMs / 1000}s…`,
  );
  const counters: ProbeCounters = { sent: 0, delivered: 0, lost: 0, slowestMs: 0 };
  const stopProgress = startProgress(stack, spec, counters, backlog, settings);
  const cpuWindow = startCpuWindow();
  const probe = await probeResets({
    ...probeBase(stack),
    perSecond: settings.resetsPerSecond,
    durationMs: settings.durationMs,
    deliveryTimeoutMs: 120_000,
    counters,
  }).finally(stopProgress);
  const cpu = cpuWindow();
  const videoBacklogAtEnd = await backlog();
  const breakdown = await breakDownResets(client, config.passwordReset.idKey, probe.delivered);
  if (stormResult) settings.log(`${spec.name}: waiting for the storm to finish…`);
  return {
    name: spec.name,
    laneMode: spec.laneMode,
    workers,
    videoBacklogQueued: spec.videoBacklog,
    videoBacklogAtStart,
    videoBacklogAtEnd,
    storm: await stormResult,
    rejected: probe.rejected,
    undelivered: probe.undelivered,
    breakdown,
    cpu,
    ...summarize(probe.latenciesMs),
  };
}

function probeBase(stack: BenchStack) {
  return {
    request: async (userId: string, email: string) =>
      (await stack.api('/password-resets', { method: 'POST', json: { userId, email } })).status,
    sink: stack.smtp,
  };
}

/** A progress line every few seconds while the probe runs. */
function startProgress(
  stack: BenchStack,
  spec: ScenarioSpec,
  counters: ProbeCounters,
  backlog: () => Promise<number>,
  settings: BenchSettings,
): () => void {
  const started = Date.now();
  const provider = httpProvider(stack.providerUrl);
  const timer = setInterval(() => {
    void Promise.all([backlog().catch(() => NaN), provider.stats().catch(() => undefined)]).then(
      ([queued, stats]) => {
        const storm = stats ? ` · webhooks acked ${stats.webhooks.acked}` : '';
        settings.log(
          `${spec.name}: ${Math.round((Date.now() - started) / 1000)}s · resets sent ${counters.sent}` +
            ` delivered ${counters.delivered} lost ${counters.lost} · slowest ${counters.slowestMs} ms` +
            ` · video backlog ${queued}${storm}`,
        );
      },
    );
  }, PROGRESS_EVERY_MS);
  return () => clearInterval(timer);
}

/** The storm is running once its first webhooks reach the API. */
async function waitForStormTraffic(stack: BenchStack, timeoutMs: number): Promise<void> {
  const provider = httpProvider(stack.providerUrl);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { webhooks } = await provider.stats();
    if (webhooks.acked > 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the webhook storm sent nothing the API acknowledged within ${timeoutMs / 1000} s`);
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
