import { PHASES } from './reset-phases.js';
import type { ScenarioResult } from './scenario.js';

/** The headline table: request → SMTP-accepted latency per scenario. */
export function latencyTable(results: ScenarioResult[], idleP99: number): string {
  const header = [
    'scenario',
    'n',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'p99 / idle p99',
    'max ms',
    'lost',
    'video backlog start→end',
    'cpu % bench / other',
  ];
  const rows = results.map((r) => [
    r.name,
    String(r.count),
    String(r.p50),
    String(r.p95),
    String(r.p99),
    `${(r.p99 / idleP99).toFixed(2)}x`,
    String(r.max),
    String(r.rejected + r.undelivered),
    `${r.videoBacklogAtStart}→${r.videoBacklogAtEnd}`,
    r.cpu ? `${r.cpu.bench} / ${r.cpu.other}` : 'n/a',
  ]);
  return formatTable(header, rows);
}

/** Where the time went: each phase's p50 / p99 (ms) per scenario, from workflow histories. */
export function phaseTable(results: ScenarioResult[]): string {
  const header = ['phase (p50 / p99 ms)', ...results.map((r) => r.name)];
  const rows = PHASES.map((phase) => [
    phase,
    ...results.map((r) => `${r.breakdown.phases[phase].p50} / ${r.breakdown.phases[phase].p99}`),
  ]);
  return formatTable(header, rows);
}

function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
