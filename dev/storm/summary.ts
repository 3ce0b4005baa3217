import type { LatencySummary } from '../provider/latency-recorder.js';
import type { ProviderStats } from '../provider/provider-stats.js';
import type { StormMode } from './args.js';
import type { RetryCounters } from './retrying-fetch.js';
import type { StorageCheck } from './storage-check.js';

export interface StormSummary {
  mode: StormMode;
  elapsedMs: number;
  jobs: { requested: number; created: number; submitted: number; adopted: number; submitRefused: number };
  webhooks: {
    events: number;
    attempts: number;
    acked: number;
    /** Extra copies the provider sent on purpose (same webhook-id). */
    duplicatesSent: number;
    /** 200 answers: Floodgate recognised a duplicate or a late event. */
    answeredDuplicateOrLate: number;
    dropped: number;
    /** Refused with a 4xx (not retried). */
    rejected: number;
    retries: number;
    gaveUp: number;
    failedByStatus: Record<string, number>;
  };
  ackLatencyMs: LatencySummary;
  submitLatencyMs: LatencySummary;
  /** Terminal jobs (completed or failed) that had a webhook the provider gave up on: recovered by polling, not lost. */
  outcomes: { completed: number; failed: number; lost: number; recoveredAfterGiveUp: number };
  /** The storm's own calls (`POST /videos`, provider control): retries and give-ups. */
  sender: RetryCounters;
  /** 5xx answers seen anywhere: webhook deliveries and `POST /videos`. */
  serverErrors: number;
  storage?: StorageCheck;
  lostIds: string[];
  ok: boolean;
}

export function countServerErrors(byStatus: Record<string, number>): number {
  return Object.entries(byStatus)
    .filter(([status]) => Number(status) >= 500)
    .reduce((sum, [, n]) => sum + n, 0);
}

export function webhookSection(stats: ProviderStats): StormSummary['webhooks'] {
  const w = stats.webhooks;
  return {
    events: w.events,
    attempts: w.attempts,
    acked: w.acked,
    duplicatesSent: w.duplicated,
    answeredDuplicateOrLate: w.ackedByStatus['200'] ?? 0,
    dropped: w.dropped,
    rejected: w.rejected,
    retries: w.retries,
    gaveUp: w.gaveUp,
    failedByStatus: w.failedByStatus,
  };
}

/** The end-of-run table, aligned for a terminal. */
export function formatSummary(s: StormSummary): string {
  const ms = (l: LatencySummary) =>
    `p50 ${l.p50} ms · p95 ${l.p95} ms · p99 ${l.p99} ms · max ${l.max} ms (n=${l.count})`;
  const failed = Object.entries(s.webhooks.failedByStatus)
    .map(([k, v]) => `${k}×${v}`)
    .join(' ');
  const rows: Array<[string, string]> = [
    ['mode', `${s.mode}, ${(s.elapsedMs / 1000).toFixed(1)} s`],
    [
      'jobs',
      `${s.jobs.created}/${s.jobs.requested} created (submitted ${s.jobs.submitted}, adopted ${s.jobs.adopted}` +
        `, submit refused ${s.jobs.submitRefused})`,
    ],
    [
      'webhooks sent',
      `${s.webhooks.attempts} attempts for ${s.webhooks.events} events (${s.webhooks.retries} retries)`,
    ],
    ['webhooks acked', `${s.webhooks.acked} (200 duplicate/late: ${s.webhooks.answeredDuplicateOrLate})`],
    ['duplicates', `${s.webhooks.duplicatesSent} sent on purpose`],
    ['dropped', `${s.webhooks.dropped} never sent (recovered by polling)`],
    ['rejected', `${s.webhooks.rejected} (4xx)`],
    ['not acked', failed ? `${failed}, gave up ${s.webhooks.gaveUp}` : `none, gave up ${s.webhooks.gaveUp}`],
    [
      'storm calls',
      `${s.sender.calls} (${s.sender.retries} retries, gave up ${s.sender.gaveUp}` +
        `${Object.keys(s.sender.failedByStatus).length ? `; failed ${JSON.stringify(s.sender.failedByStatus)}` : ''})`,
    ],
    ['ack latency', ms(s.ackLatencyMs)],
    ['submit latency', s.submitLatencyMs.count ? ms(s.submitLatencyMs) : '-'],
    ['completed', String(s.outcomes.completed)],
    ['failed', String(s.outcomes.failed)],
    [
      'recovered',
      `${s.outcomes.recoveredAfterGiveUp} jobs whose webhook the provider gave up on (by polling)`,
    ],
    ['lost', String(s.outcomes.lost) + (s.lostIds.length ? ` (${s.lostIds.slice(0, 5).join(', ')}…)` : '')],
    ['5xx seen', String(s.serverErrors)],
  ];
  if (s.storage) {
    rows.push([
      'stored files',
      `${s.storage.exactlyOne}/${s.storage.checked} completed jobs with exactly one file` +
        ` (missing ${s.storage.missing.length}, several ${s.storage.multiple.length})`,
    ]);
  }
  rows.push(['result', s.ok ? 'OK' : 'FAILED']);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
}
