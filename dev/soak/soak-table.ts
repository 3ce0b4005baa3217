import type { LatencySummary } from '../provider/latency-recorder.js';
import type { SoakReport } from './soak-report.js';

export interface ResetTally {
  sent: number;
  /** Final answer other than 202, after the sender's retries. */
  refused: number;
  mailed: number;
  /** Accepted (202) and never mailed. */
  lost: number;
  /** Request → mail accepted by the SMTP sink, of the mailed ones. */
  delayMs: LatencySummary;
}

const row = (p: SoakReport['processes'][number]) => {
  const shared = p.sharedEndMb ? `; shared memory ${p.sharedStartMb} → ${p.sharedEndMb} MB not in RSS` : '';
  const group =
    p.processesStart !== undefined
      ? ` (${p.processesStart} → ${p.processesEnd} processes, PSS${shared}; fds judged per process)`
      : '';
  const growth = p.judged
    ? `${p.rssGrowthPercent} %`
    : `${p.rssGrowthPercent} % (not judged: replica came or went)`;
  const restarts = p.returns
    ? `${p.restarts} (+${p.returns} stopped/started by the autoscaler)`
    : `${p.restarts}`;
  return `| ${p.service}${group} | ${p.rssStartMb} MB | ${p.rssEndMb} MB | ${growth} | ${p.rssLastHalfGrowthPercent} % | ${p.fdsStart} → ${p.fdsEnd} | ${restarts} |`;
};

/** The soak's report as Markdown-ish text: one table row per process, then storage and resets. */
export function soakTable(report: SoakReport, resets: ResetTally | undefined): string[] {
  const lines = [
    '| process | RSS after warm-up | RSS at end | growth | of which last half | open fds | restarts |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...report.processes.map(row),
  ];
  if (report.replicas) {
    const r = report.replicas;
    lines.push(
      '',
      `video replicas after warm-up: ${r.start} → ${r.end} (between ${r.min} and ${r.max}, ${r.changes} change(s))`,
    );
  }
  if (report.storageParts.length) {
    lines.push('', '| storage | after warm-up | at end | growth per hour |', '| --- | --- | --- | --- |');
    for (const s of report.storageParts) {
      lines.push(`| ${s.part} | ${s.startMb} MB | ${s.endMb} MB | ${s.mbPerHour} MB/h |`);
    }
  }
  if (resets) {
    lines.push(
      '',
      `password resets: ${resets.sent} sent, ${resets.refused} refused, ${resets.mailed} mailed, ${resets.lost} lost` +
        (resets.delayMs.count
          ? ` (request → mail p50 ${resets.delayMs.p50} ms, p99 ${resets.delayMs.p99} ms)`
          : ''),
    );
  }
  return lines;
}
