import type { LatencySummary } from '../dev/provider/latency-recorder.js';
import { summarize } from '../dev/provider/latency-recorder.js';
import { httpProvider } from '../dev/storm/provider-control.js';
import { Client } from '@temporalio/client';
import { loadConfig, type Config } from '../src/config.js';
import { URGENT_NAMESPACE } from '../src/stack/cluster-stack.js';
import { createDataConverter } from '../src/temporal/data-converter.js';
import { connectClient } from '../src/temporal/client.js';
import { probeAcks, type AckProbeResult } from './ack-probe.js';
import { measureIngest, type IngestResult } from './ingest-capacity.js';
import { startDiskWindow, type DiskUse } from './disk-load.js';
import { startCpuWindow, type CpuUse } from './machine-load.js';
import { type MachineSpeed, measureMachineSpeed } from './machine-speed.js';
import { startStallWatch, type StallWatchResult } from './stall-watch.js';
import { watchMailFolder } from './mail-folder-watch.js';
import { loadWebhookUrls } from './load-webhook-urls.js';
import { withStack } from './with-stack.js';
import type { RunningStack, StackProfile } from './profiles/stack-profile.js';
import {
  bucketsBetween,
  scrapeCounterTotal,
  scrapeGauge,
  scrapeHistogram,
  shareWithin,
  type WithinBound,
} from './prometheus-histogram.js';
import { breakDownResets, type PhaseBreakdown } from './reset-phases.js';
import {
  sampleJobHistories,
  startServerWorkWindow,
  type JobHistoryCost,
  type ServerWorkPerJob,
} from './engine-work.js';
import { startProcessCpuWindow, type CpuSecondsByRole } from './process-cpu.js';
import { stackResetProbe } from './reset-probe.js';
import { driveWebhooks, settleWebhooks, WEBHOOKS_PER_JOB, type WebhookOutcome } from './webhook-load.js';

export interface RunSettings {
  resetsPerSecond: number;
  warmUpMs: number;
  idleMs: number;
  steadyMs: number;
  steadyPerMinute: number;
  burstMs: number;
  burstPerMinute: number;
  ingestWindowMs: number;
  ingestRounds: number;
  ingestConcurrency: number;
  /** Webhooks per second the bench's own probe sender posts, out of each storm's rate. */
  ackProbePerSecond: number;
  verbose: boolean;
  log(line: string): void;
}

/** One load phase: resets measured beside (or without) a webhook storm. */
export interface PhaseResult {
  reset: LatencySummary;
  resetsLost: number;
  breakdown: PhaseBreakdown;
  webhooks?: WebhookOutcome;
  /** Share of acks within 50 ms as the stack itself timed them, while the load ran. */
  acksWithin50ms?: AcksWithin50ms;
  /** The same storm's acks as an otherwise idle sender (the bench process) saw them. */
  ackProbe?: AckProbeResult;
  /** The API process's event-loop delay p99 over the storm, ms (prom-client's own gauge). */
  apiEventLoopDelayP99Ms?: number;
  cpu?: CpuUse;
  disk?: DiskUse;
  /** Moments the machine gave an idle thread in the bench no time (≥ 200 ms). */
  machineStalls?: StallWatchResult;
}

/**
 * What a steady storm costs, with nothing else running (no resets): each process's CPU seconds
 * and the server's persistence work over the storm's own duration. At a rate the stack keeps up
 * with, the work done in the window is the work the window's webhooks brought.
 */
export interface StormEngineCost {
  perMinute: number;
  /** Webhooks the API accepted in the window. */
  webhooksAccepted: number;
  cpuSeconds: CpuSecondsByRole;
  serverWorkPerJob: ServerWorkPerJob;
}

/**
 * The same acks seen from inside: the API's own timer (request in → answer out) and the
 * Temporal frontend's time for the signalWithStart each ack waits on. What the sender sees on
 * top of the API's figure is its own and the network's; what the API sees on top of the
 * server's is the API process.
 */
export interface AcksWithin50ms {
  api?: WithinBound;
  server?: WithinBound;
}

export interface RunResult {
  profile: string;
  idle: PhaseResult;
  steady: PhaseResult;
  burst: PhaseResult;
  ingest: IngestResult;
  /** Activities the resets' server handed out eagerly over the whole run (shows the lever is on). */
  eagerActivityDispatches?: number;
  /** History of the completed video jobs, counted per job (median of a sample). */
  jobHistory?: JobHistoryCost;
  /** The steady storm again, without resets: what it costs each process. */
  cost?: StormEngineCost;
  /** The machine's speed just before the stack started and just after it stopped. */
  machineSpeed?: { before: MachineSpeed; after: MachineSpeed };
}

/** Every scenario, in order, on one freshly started stack of the given profile. */
export async function runOnce(profile: StackProfile, s: RunSettings): Promise<RunResult> {
  const speedBefore = measureMachineSpeed();
  s.log(
    `${profile.name}: machine speed SHA-256 ${speedBefore.hashMBps} MB/s, fresh memory ${speedBefore.freshMemoryMBps} MB/s; starting the stack…`,
  );
  const result = await withStack(profile, { verbose: s.verbose, log: s.log }, (stack) =>
    scenarios(profile, stack, s),
  );
  return { ...result, machineSpeed: { before: speedBefore, after: measureMachineSpeed() } };
}

async function scenarios(profile: StackProfile, stack: RunningStack, s: RunSettings): Promise<RunResult> {
  const config = loadConfig({ ...process.env, ...stack.env });
  const client = await connectClient(config, stack.temporalAddress);
  const resetTarget = stack.resets ?? stack;
  const resetClient = await resetsClient(config, client, resetTarget.temporalAddress, stack.temporalAddress);
  const mail = watchMailFolder(resetTarget.mailDir);
  const provider = httpProvider(stack.providerUrl);
  const webhookUrl = `${stack.apiUrl}/webhooks/replicate`;
  const nextWebhookUrl = loadWebhookUrls(stack.apiUrl, config.webhooks.urlTokenKeys);
  const resets = stackResetProbe(resetTarget, stack.apiKey, mail, s.resetsPerSecond);
  const phase = async (name: string, durationMs: number): Promise<Omit<PhaseResult, 'webhooks'>> => {
    s.log(`${profile.name}: ${name}: resets at ${s.resetsPerSecond}/s for ${durationMs / 1000}s…`);
    const cpuWindow = startCpuWindow();
    const diskWindow = startDiskWindow();
    const stallWatch = startStallWatch();
    const probe = await resets(durationMs);
    const cpu = cpuWindow();
    const disk = diskWindow();
    const machineStalls = await stallWatch.stop();
    const breakdown = await breakDownResets(resetClient, config.passwordReset.idKey, probe.delivered);
    return {
      reset: summarize(probe.latenciesMs),
      resetsLost: probe.rejected + probe.undelivered,
      breakdown,
      cpu,
      disk,
      machineStalls,
    };
  };
  const ackTimers = () =>
    Promise.all([
      scrapeHistogram(`${stack.apiUrl}/metrics`, 'floodgate_webhook_ack_seconds', { source: 'replicate' }),
      scrapeHistogram(stack.serverMetricsUrl, 'service_latency', {
        operation: 'SignalWithStartWorkflowExecution',
        service_name: 'frontend',
      }),
    ]);
  const stormPhase = async (name: string, perMinute: number, durationMs: number): Promise<PhaseResult> => {
    await provider.resetStats();
    const timersBefore = await ackTimers();
    // The probe's webhooks are part of the phase's rate, so the stack sees `perMinute` in all.
    const stormPerMinute = perMinute - s.ackProbePerSecond * 60;
    const load = driveWebhooks({ provider, nextWebhookUrl, webhooksPerMinute: stormPerMinute, durationMs });
    const probe = probeAcks({
      webhookUrl,
      secret: config.webhooks.replicateSecrets[0]!,
      urlTokenKeys: config.webhooks.urlTokenKeys,
      perSecond: s.ackProbePerSecond,
      durationMs,
    });
    const measured = await phase(`${name} (${perMinute} webhooks/min)`, durationMs);
    await load;
    const ackProbe = await probe;
    const ackDuringLoad = (await provider.stats()).ackLatencyMs;
    // prom-client resets its event-loop histogram on every scrape: ackTimers() above started it.
    const loopDelay = await scrapeGauge(`${stack.apiUrl}/metrics`, 'nodejs_eventloop_lag_p99_seconds');
    const timersAfter = await ackTimers();
    const within = (i: 0 | 1) => {
      const [before, after] = [timersBefore[i], timersAfter[i]];
      return before && after ? shareWithin(bucketsBetween(before, after), 0.05) : undefined;
    };
    const acksWithin50ms = { api: within(0), server: within(1) };
    s.log(`${profile.name}: ${name}: waiting until every webhook is acknowledged…`);
    const webhooks = await settleWebhooks(provider, 180_000);
    return {
      ...measured,
      webhooks: { ...webhooks, ack: ackDuringLoad },
      acksWithin50ms,
      ackProbe,
      apiEventLoopDelayP99Ms: loopDelay === undefined ? undefined : loopDelay * 1000,
    };
  };

  const costPhase = async (perMinute: number, durationMs: number): Promise<StormEngineCost> => {
    s.log(`${profile.name}: cost: ${perMinute} webhooks/min for ${durationMs / 1000}s, no resets…`);
    await provider.resetStats();
    const processCpu = startProcessCpuWindow();
    const serverWork = await startServerWorkWindow(stack.serverMetricsUrl);
    await driveWebhooks({ provider, nextWebhookUrl, webhooksPerMinute: perMinute, durationMs });
    const cpuSeconds = processCpu();
    const accepted = (await provider.stats()).webhooks.acked;
    const serverWorkPerJob = await serverWork(accepted / WEBHOOKS_PER_JOB);
    await settleWebhooks(provider, 180_000);
    return { perMinute, webhooksAccepted: accepted, cpuSeconds, serverWorkPerJob };
  };

  try {
    s.log(`${profile.name}: warm-up ${s.warmUpMs / 1000}s…`);
    await resets(s.warmUpMs);
    const idle = await phase('idle', s.idleMs);
    const steady = await stormPhase('steady', s.steadyPerMinute, s.steadyMs);
    const cost = await costPhase(s.steadyPerMinute, s.steadyMs);
    const burst = await stormPhase('burst', s.burstPerMinute, s.burstMs);
    s.log(`${profile.name}: ingest capacity, ${s.ingestRounds} interleaved rounds…`);
    const ingest = await measureIngest({
      apiUrl: stack.apiUrl,
      config,
      client,
      concurrency: s.ingestConcurrency,
      windowMs: s.ingestWindowMs,
      rounds: s.ingestRounds,
      log: s.log,
    });
    const eagerActivityDispatches = await scrapeCounterTotal(
      resetTarget.serverMetricsUrl,
      'activity_eager_execution',
    );
    const jobHistory = await sampleJobHistories(client);
    return { profile: profile.name, idle, steady, burst, ingest, eagerActivityDispatches, jobHistory, cost };
  } finally {
    mail.close();
    if (resetClient.connection !== client.connection) await resetClient.connection.close();
    await client.connection.close();
  }
}

/**
 * A client where the stack runs its resets: their own server if it has one, and there the
 * urgent lane's own namespace if the stack registered it (the cluster profile since it has
 * one; an older checkout's stack keeps resets in the shared namespace).
 */
async function resetsClient(
  config: Config,
  shared: Client,
  address: string,
  sharedAddress: string,
): Promise<Client> {
  const onServer = address === sharedAddress ? shared : await connectClient(config, address);
  try {
    await onServer.workflowService.describeNamespace({ namespace: URGENT_NAMESPACE });
  } catch {
    return onServer;
  }
  return new Client({
    connection: onServer.connection,
    namespace: URGENT_NAMESPACE,
    dataConverter: createDataConverter(config),
  });
}
