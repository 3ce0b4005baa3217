import type { FaultResult } from './run-fault.js';

const statuses = (byStatus: Record<string, number>) =>
  Object.entries(byStatus)
    .map(([k, v]) => `${k}×${v}`)
    .join(' ') || 'none';

/** The table `npm run faults` prints: one row per fault, what senders and users saw, lost, recovery. */
export function formatFaultTable(results: readonly FaultResult[]): string {
  const header = [
    'fault',
    'webhook deliveries not acked',
    'storm calls retried',
    'resets: not accepted · delay p50/max',
    'lost',
    'recovery',
  ];
  const rows = results.map((r) => [
    r.fault,
    `${statuses(r.seen.webhookFailures)} (of ${r.seen.webhookAttempts}; gave up ${r.seen.webhookGaveUp})`,
    `${r.seen.stormCalls.retries} (${statuses(r.seen.stormCalls.failedByStatus)})`,
    `${statuses(r.seen.resetFailures)} · ${Math.round(r.seen.resetDelayMs.p50)}/${Math.round(r.seen.resetDelayMs.max)} ms`,
    `jobs ${r.lost.jobs}, resets ${r.lost.resets}${r.jobs.oneFileEach ? '' : ', files!'}`,
    r.recoveryMs === null ? 'never' : `${(r.recoveryMs / 1000).toFixed(1)} s`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
