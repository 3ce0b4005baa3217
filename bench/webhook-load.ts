import type { ProviderControl } from '../dev/storm/provider-control.js';
import type { ProviderStats } from '../dev/provider/provider-stats.js';
import type { LatencySummary } from '../dev/provider/latency-recorder.js';

/** Webhooks each adopted prediction produces: starting, processing, terminal. */
export const WEBHOOKS_PER_JOB = 3;

export interface WebhookLoadOptions {
  provider: ProviderControl;
  /** A new video's webhook URL (token included) for each prediction. */
  nextWebhookUrl: () => string;
  webhooksPerMinute: number;
  durationMs: number;
}

/**
 * The cheap load generator: once a second the bench asks the simulated provider (its own
 * process, like the real one) to start that second's predictions; the provider signs and sends
 * their webhooks and retries failures as a real sender would. The bench itself only makes one
 * small HTTP call a second, so the CPU it takes stays off the figures. Bounded by duration.
 */
export async function driveWebhooks(opts: WebhookLoadOptions): Promise<number> {
  const jobsPerSecond = opts.webhooksPerMinute / 60 / WEBHOOKS_PER_JOB;
  const started = Date.now();
  const ticks = Math.ceil(opts.durationMs / 1000);
  let created = 0;
  for (let tick = 0; tick < ticks; tick++) {
    const due = Math.round(jobsPerSecond * (tick + 1)) - created;
    if (due > 0) {
      await opts.provider.adopt(Array.from({ length: due }, opts.nextWebhookUrl));
      created += due;
    }
    const next = started + (tick + 1) * 1000;
    if (next > Date.now()) await new Promise((r) => setTimeout(r, next - Date.now()));
  }
  return created;
}

export interface WebhookOutcome {
  events: number;
  acked: number;
  /** Attempts the API answered 503 (admission control or an unreachable server). */
  answered503: number;
  retries: number;
  /** Never accepted: given up after the last retry, refused with a 4xx, or still unsent at the deadline. */
  lost: number;
  ack: LatencySummary;
}

/**
 * Waits (bounded) until the provider has nothing left to send — every prediction finished and
 * every webhook acknowledged or given up — and sums up.
 */
export async function settleWebhooks(provider: ProviderControl, timeoutMs: number): Promise<WebhookOutcome> {
  const deadline = Date.now() + timeoutMs;
  let stats: ProviderStats = await provider.stats();
  for (;;) {
    const w = stats.webhooks;
    const open = w.events - w.dropped - w.acked - w.gaveUp - w.rejected;
    const idle = stats.predictions.active === 0 && w.queued === 0 && w.inFlight === 0;
    if ((idle && open <= 0) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 1_000));
    stats = await provider.stats();
  }
  const w = stats.webhooks;
  const unsent = Math.max(0, w.events - w.dropped - w.acked - w.gaveUp - w.rejected);
  return {
    events: w.events,
    acked: w.acked,
    answered503: w.failedByStatus['503'] ?? 0,
    retries: w.retries,
    lost: w.gaveUp + w.rejected + unsent,
    ack: stats.ackLatencyMs,
  };
}
