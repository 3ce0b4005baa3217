import { summarize, type LatencySummary } from '../dev/provider/latency-recorder.js';
import { httpProvider } from '../dev/storm/provider-control.js';
import { loadConfig } from '../src/config.js';
import { connectClient } from '../src/temporal/client.js';
import type { IdleCost } from './ceiling-cost.js';
import { startServerWorkWindow } from './engine-work.js';
import { startProcessCpuWindow } from './process-cpu.js';
import { stepSummary } from './ceiling-report.js';
import { judgeStep, ceilingOf, type Ceiling, type StepVerdict } from './ceiling-verdict.js';
import { runStep, type StepResult } from './ceiling-step.js';
import { loadWebhookUrls } from './load-webhook-urls.js';
import { watchMailFolder } from './mail-folder-watch.js';
import type { StackProfile } from './profiles/stack-profile.js';
import { stackResetProbe } from './reset-probe.js';
import { withStack } from './with-stack.js';

export interface CeilingRunSettings {
  ratesPerMinute: number[];
  holdMs: number;
  /** Resets alone before the first rate: their p99 is what every rate's resets are judged against. */
  idleMs: number;
  resetsPerSecond: number;
  /** Run every rate, not only up to the first that fails. */
  all: boolean;
  verbose: boolean;
  log(line: string): void;
}

export interface JudgedStep extends StepResult {
  verdict: StepVerdict;
}

export interface CeilingRunResult {
  profile: string;
  /** Where the resets ran: the urgent lane's own Temporal server, or the one the video lane uses. */
  urgentServer: 'own' | 'shared';
  /** Resets alone: their latency, and what the stack costs meanwhile (subtracted from each step's cost). */
  idle: { reset: LatencySummary; resetsLost: number; cost: IdleCost };
  steps: JudgedStep[];
  ceiling: Ceiling;
}

const WARM_UP_MS = 10_000;

/** The whole step load on one fresh stack of `profile`: warm-up, idle baseline, rates in ascending order. */
export function runCeiling(profile: StackProfile, s: CeilingRunSettings): Promise<CeilingRunResult> {
  s.log(`${profile.name}: starting the stack…`);
  return withStack(profile, { verbose: s.verbose, log: s.log }, async (stack) => {
    const config = loadConfig({ ...process.env, ...stack.env });
    const client = await connectClient(config, stack.temporalAddress);
    // Resets go where the bench sends and reads them: the stack's own urgent server if it runs one.
    const resetTarget = stack.resets ?? stack;
    const urgentServer =
      stack.resets && stack.resets.temporalAddress !== stack.temporalAddress ? 'own' : 'shared';
    s.log(
      `${profile.name}: resets run on ${urgentServer === 'own' ? "the urgent lane's own server" : 'the shared server'} (${resetTarget.temporalAddress})`,
    );
    const mail = watchMailFolder(resetTarget.mailDir);
    const resets = stackResetProbe(resetTarget, stack.apiKey, mail, s.resetsPerSecond);
    try {
      s.log(`${profile.name}: warm-up ${WARM_UP_MS / 1000}s, then idle resets for ${s.idleMs / 1000}s…`);
      await resets(WARM_UP_MS);
      const idleStarted = Date.now();
      const idleCpu = startProcessCpuWindow();
      const idleWork = await startServerWorkWindow(stack.serverMetricsUrl);
      const idleProbe = await resets(s.idleMs);
      const idleCost: IdleCost = {
        cpuSeconds: idleCpu(),
        seconds: (Date.now() - idleStarted) / 1000,
        // Per one "job": the window's totals.
        serverWork: await idleWork(1),
      };
      const idle = {
        reset: summarize(idleProbe.latenciesMs),
        resetsLost: idleProbe.rejected + idleProbe.undelivered,
        cost: idleCost,
      };
      s.log(
        `${profile.name}: idle reset p99 ${idle.reset.p99} ms (${idle.reset.count} mailed, ${idle.resetsLost} lost)`,
      );
      const ctx = {
        provider: httpProvider(stack.providerUrl),
        client,
        serverMetricsUrl: stack.serverMetricsUrl,
        nextWebhookUrl: loadWebhookUrls(stack.apiUrl, config.webhooks.urlTokenKeys),
        resets,
        idleCost,
        log: (line: string) => s.log(`${profile.name}: ${line}`),
      };
      const steps: JudgedStep[] = [];
      for (const rate of s.ratesPerMinute) {
        s.log(
          `${profile.name}: ${rate} webhooks/min for ${s.holdMs / 1000}s, resets at ${s.resetsPerSecond}/s…`,
        );
        const step = await runStep(ctx, rate, s.holdMs);
        const verdict = judgeStep(
          {
            perMinute: rate,
            ackP99Ms: step.webhooks.ack.count > 0 ? step.webhooks.ack.p99 : NaN,
            resetP99Ms: step.reset.count > 0 ? step.reset.p99 : NaN,
            webhooksLost: step.webhooks.lost,
            jobsNotCompleted: step.jobs.notCompleted,
            resetsLost: step.resetsLost,
          },
          idle.reset.p99,
        );
        steps.push({ ...step, verdict });
        s.log(`${profile.name}: ${stepSummary({ ...step, verdict })}`);
        if (!verdict.sustained && !s.all) break;
      }
      return { profile: profile.name, urgentServer, idle, steps, ceiling: ceilingOf(steps) };
    } finally {
      mail.close();
      await client.connection.close();
    }
  });
}
