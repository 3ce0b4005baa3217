import type { LatencySummary } from '../provider/latency-recorder.js';
import type { ProviderStats } from '../provider/provider-stats.js';
import type { StormMode } from './args.js';
import type { RetryCounters } from './retrying-fetch.js';
import type { StorageCheck } from './storage-check.js';

export interface StormSummary {
  mode: StormMode;
  elapsedMs: number;
  jobs: { requested: number; created: number; submitted: number; adopted: number; submitRefused: number };
  /** Every `POST /videos` answer by `answerKey` (`202`; `503` only with Retry-After) or `network`. */
  submitAnswers: Record<string, number>;
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
  /** 503 + Retry-After answers seen anywhere: Floodgate's documented "retry later", which senders retry. */
  retryLater: number;
  /** Any other 5xx answer seen anywhere (webhook deliveries and the storm's own calls): fails the run. */
  serverErrors: number;
  storage?: StorageCheck;
  lostIds: string[];
  ok: boolean;
}

/**
 * Sorts 5xx answers (keys as `answerKey` writes them) into the documented 503 + Retry-After,
 * which senders retry, and every other 5xx, which is a fault.
 */
export function sortServerAnswers(...byStatus: Array<Record<string, number>>): {
  retryLater: number;
  serverErrors: number;
} {
  let retryLater = 0;
  let serverErrors = 0;
  for (const [key, n] of byStatus.flatMap((map) => Object.entries(map))) {
    if (key === '503') retryLater += n;
    else if (parseInt(key, 10) >= 500) serverErrors += n;
  }
  return { retryLater, serverErrors };
}

/** What the run's exit status rests on. */
export type StormVerdictInput = Pick<StormSummary, 'jobs' | 'outcomes' | 'serverErrors' | 'storage'>;

/**
 * A storm passes when every requested job was created, none was lost, no 5xx other than
 * 503 + Retry-After was seen, and (when checked) every completed job has exactly one stored file.
 */
export function stormPassed(s: StormVerdictInput): boolean {
  return (
    s.outcomes.lost === 0 &&
    s.serverErrors === 0 &&
    s.jobs.created === s.jobs.requested &&
    (!s.storage || (s.storage.missing.length === 0 && s.storage.multiple.length === 0))
  );
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
    ['503 + Retry-After', `${s.retryLater} (retried by the sender; not a failure)`],
    ['other 5xx', String(s.serverErrors)],
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
