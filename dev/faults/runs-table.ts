import { median } from '../../bench/ingest-capacity.js';
import { spread } from '../../bench/report.js';
import type { FaultResult } from './run-fault.js';

const total = (byStatus: Record<string, number>) => Object.values(byStatus).reduce((a, b) => a + b, 0);

/** The statuses seen in any run, e.g. `503, connection`; `—` when every call was accepted. */
const statusesSeen = (all: Record<string, number>[]) =>
  [...new Set(all.flatMap((byStatus) => Object.keys(byStatus)))].sort().join(', ') || '—';

/**
 * One row per fault over several whole runs of the suite (each on a fresh stack): how many runs
 * passed, what senders saw as "median (min–max)", what was lost in all runs together, and the
 * recovery time. A fault missing from a run (it stopped early) counts as not passed.
 */
export function formatRunsTable(runs: readonly (readonly FaultResult[])[]): string {
  const names = [...new Set(runs.flatMap((run) => run.map((r) => r.fault)))];
  const header = [
    'fault',
    'passed',
    'deliveries not acked',
    'storm calls retried',
    'resets not accepted',
    'reset delay: p50 · max',
    'lost jobs, resets',
    'recovery s',
  ];
  const rows = names.map((name) => {
    const results = runs.flatMap((run) => run.filter((r) => r.fault === name));
    const recoveries = results.flatMap((r) => (r.recoveryMs === null ? [] : [r.recoveryMs / 1000]));
    const never = results.length - recoveries.length;
    const attempts = Math.round(median(results.map((r) => r.seen.webhookAttempts)));
    const notAcked = results.map((r) => r.seen.webhookFailures);
    const stormFailed = results.map((r) => r.seen.stormCalls.failedByStatus);
    const resetsRefused = results.map((r) => r.seen.resetFailures);
    const slowestReset = Math.max(...results.map((r) => r.seen.resetDelayMs.max)) / 1000;
    const files = results.every((r) => r.jobs.oneFileEach) ? '' : ', files!';
    return [
      name,
      `${results.filter((r) => r.ok).length} of ${runs.length}`,
      `${spread(notAcked.map(total))} of ${attempts}: ${statusesSeen(notAcked)}`,
      `${spread(results.map((r) => r.seen.stormCalls.retries))}: ${statusesSeen(stormFailed)}`,
      `${spread(resetsRefused.map(total))}: ${statusesSeen(resetsRefused)}`,
      `${spread(results.map((r) => r.seen.resetDelayMs.p50))} ms · ${slowestReset.toFixed(1)} s`,
      `${sum(results.map((r) => r.lost.jobs))}, ${sum(results.map((r) => r.lost.resets))}${files}`,
      [recoveries.length ? spread(recoveries, 1) : '', never ? `never ×${never}` : '']
        .filter(Boolean)
        .join(' '),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
