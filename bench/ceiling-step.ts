import type { Client } from '@temporalio/client';
import { summarize, type LatencySummary } from '../dev/provider/latency-recorder.js';
import type { ProviderControl } from '../dev/storm/provider-control.js';
import { sampleJobHistories, startServerWorkWindow, type JobHistoryCost } from './engine-work.js';
import { startProcessCpuWindow } from './process-cpu.js';
import type { ProbeResult } from './reset-probe.js';
import type { StormEngineCost } from './run-once.js';
import { netOfIdle, type IdleCost } from './ceiling-cost.js';
import { reportProgress } from './ceiling-progress.js';
import { countVideoJobs } from './video-job-count.js';
import { driveWebhooks, settleWebhooks, WEBHOOKS_PER_JOB, type WebhookOutcome } from './webhook-load.js';

/** Where one step runs and how it is read. */
export interface StepContext {
  provider: ProviderControl;
  /** The video lane's client (its jobs are counted and sampled there). */
  client: Client;
  serverMetricsUrl: string;
  nextWebhookUrl: () => string;
  /** Resets at the run's rate for `durationMs`, timed to their `.eml`. */
  resets(durationMs: number): Promise<ProbeResult>;
  idleCost: IdleCost;
  log(line: string): void;
}

export interface StepResult {
  perMinute: number;
  holdMs: number;
  webhooks: WebhookOutcome;
  reset: LatencySummary;
  resetsLost: number;
  jobs: { started: number; completed: number; notCompleted: number };
  /** From the step's start until its backlog drained: CPU per process, server work per job. */
  cost: StormEngineCost;
  /** The same, less the idle baseline's rate over the same span: what the webhooks cost. */
  webhookCost: StormEngineCost;
  /** The step's start until its backlog drained. */
  windowMs: number;
  jobHistory?: JobHistoryCost;
  /** From the end of the hold until every job of the step settled (or the deadline). */
  drainMs: number;
}

/**
 * One rate held for `holdMs` with resets beside it, then the wait (bounded) until every webhook
 * of the step is acknowledged or given up and every job it started has completed, so the next
 * step starts on an empty stack. CPU and server work are counted over that whole span: what the
 * step's webhooks cost, their backlog included (the resets' small share with them).
 */
export async function runStep(ctx: StepContext, perMinute: number, holdMs: number): Promise<StepResult> {
  await ctx.provider.resetStats();
  const completedBefore = await countVideoJobs(ctx.client, 'Completed');
  const started = Date.now();
  const processCpu = startProcessCpuWindow();
  const serverWork = await startServerWorkWindow(ctx.serverMetricsUrl);
  const progress = reportProgress(ctx, perMinute, started, holdMs);
  try {
    const [jobsStarted, probe] = await Promise.all([
      driveWebhooks({
        provider: ctx.provider,
        nextWebhookUrl: ctx.nextWebhookUrl,
        webhooksPerMinute: perMinute,
        durationMs: holdMs,
      }),
      ctx.resets(holdMs),
    ]);
    const holdEnded = Date.now();
    const drainDeadline = holdEnded + Math.max(180_000, 2 * holdMs);
    const webhooks = await settleWebhooks(ctx.provider, drainDeadline - Date.now());
    const completed = await waitForJobs(ctx.client, completedBefore, jobsStarted, drainDeadline);
    const drainMs = Date.now() - holdEnded;
    const cpuSeconds = processCpu();
    const windowMs = Date.now() - started;
    const serverWorkPerJob = await serverWork(webhooks.acked / WEBHOOKS_PER_JOB);
    const jobHistory = await sampleJobHistories(ctx.client);
    const cost = { perMinute, webhooksAccepted: webhooks.acked, cpuSeconds, serverWorkPerJob };
    return {
      perMinute,
      holdMs,
      webhooks,
      reset: summarize(probe.latenciesMs),
      resetsLost: probe.rejected + probe.undelivered,
      jobs: { started: jobsStarted, completed, notCompleted: Math.max(0, jobsStarted - completed) },
      cost,
      webhookCost: netOfIdle(cost, windowMs, ctx.idleCost),
      windowMs,
      jobHistory,
      drainMs,
    };
  } finally {
    await progress.stop();
  }
}

/** Until the jobs completed since the step began reach `expected` and none runs, or the deadline. */
async function waitForJobs(
  client: Client,
  before: number,
  expected: number,
  deadline: number,
): Promise<number> {
  let completed = 0;
  for (;;) {
    try {
      const [done, running] = await Promise.all([
        countVideoJobs(client, 'Completed'),
        countVideoJobs(client, 'Running'),
      ]);
      completed = done - before;
      if (completed >= expected && running === 0) return completed;
    } catch {
      // A loaded server may time out a count; the next one is a second away, the deadline bounds it.
    }
    if (Date.now() > deadline) return completed;
    await new Promise((r) => setTimeout(r, 1_000));
  }
}
