import { median } from './ingest-capacity.js';
import { PHASES } from './reset-phases.js';
import type { PhaseResult, RunResult } from './run-once.js';

/** "median (min–max)" over the runs, rounded; a single run prints just its figure. */
export function spread(values: number[], digits = 0): string {
  const f = (v: number) => v.toFixed(digits);
  if (values.length === 1) return f(values[0]!);
  return `${f(median(values))} (${f(Math.min(...values))}–${f(Math.max(...values))})`;
}

interface Row {
  figure: string;
  values: (r: RunResult) => number;
  digits?: number;
  goal: string;
  met?: (median: number) => boolean;
}

/** A share as a percentage; NaN (printed as such) when the stack's timer could not be read. */
const percent = (share: number | undefined) => (share === undefined ? NaN : share * 100);

const ROWS: Row[] = [
  { figure: 'idle: reset p50 ms', values: (r) => r.idle.reset.p50, goal: '—' },
  { figure: 'idle: reset p99 ms', values: (r) => r.idle.reset.p99, goal: '—' },
  { figure: '1,500/min: webhook ack p50 ms', values: (r) => r.steady.webhooks!.ack.p50, goal: '—' },
  {
    figure: '1,500/min: webhook ack p99 ms, provider simulator',
    values: (r) => r.steady.webhooks!.ack.p99,
    goal: '≤ 100',
    met: (m) => m <= 100,
  },
  {
    figure: '1,500/min: webhook ack p99 ms, probe sender (idle process)',
    values: (r) => r.steady.ackProbe?.ack.p99 ?? NaN,
    goal: '≤ 100',
    met: (m) => m <= 100,
  },
  {
    figure: '1,500/min: API event-loop delay p99 ms',
    values: (r) => r.steady.apiEventLoopDelayP99Ms ?? NaN,
    goal: '—',
  },
  {
    figure: '1,500/min: acks within 50 ms, % (API timer)',
    values: (r) => percent(r.steady.acksWithin50ms?.api?.share),
    digits: 1,
    goal: '≥ 99',
    met: (m) => m >= 99,
  },
  {
    figure: '1,500/min: signalWithStart within 50 ms, % (Temporal frontend)',
    values: (r) => percent(r.steady.acksWithin50ms?.server?.share),
    digits: 1,
    goal: '—',
  },
  { figure: '1,500/min: reset p99 ms', values: (r) => r.steady.reset.p99, goal: '—' },
  {
    figure: '1,500/min: reset p99 ÷ idle p99',
    values: (r) => r.steady.reset.p99 / r.idle.reset.p99,
    digits: 2,
    goal: '≤ 2',
    met: (m) => m <= 2,
  },
  { figure: '3,000/min burst: webhook ack p99 ms', values: (r) => r.burst.webhooks!.ack.p99, goal: '—' },
  {
    figure: '3,000/min burst: webhook ack p99 ms, probe sender',
    values: (r) => r.burst.ackProbe?.ack.p99 ?? NaN,
    goal: '—',
  },
  {
    figure: '3,000/min burst: reset p99 ms',
    values: (r) => r.burst.reset.p99,
    goal: '≤ 1000',
    met: (m) => m <= 1000,
  },
  {
    figure: '3,000/min burst: webhooks answered 503',
    values: (r) => r.burst.webhooks!.answered503,
    goal: 'counted',
  },
  {
    figure: '3,000/min burst: webhooks lost',
    values: (r) =>
      r.burst.webhooks!.lost +
      r.steady.webhooks!.lost +
      (r.steady.ackProbe?.notAccepted ?? 0) +
      (r.burst.ackProbe?.notAccepted ?? 0),
    goal: '0',
    met: (m) => m === 0,
  },
  {
    figure: 'resets lost (all phases)',
    values: (r) => r.idle.resetsLost + r.steady.resetsLost + r.burst.resetsLost,
    goal: '0',
    met: (m) => m === 0,
  },
  { figure: 'ingest: webhook route /s', values: (r) => median(r.ingest.webhookRoute), digits: 1, goal: '—' },
  {
    figure: 'ingest: raw signalWithStart /s',
    values: (r) => median(r.ingest.rawSignalWithStart),
    digits: 1,
    goal: '—',
  },
  {
    figure: 'ingest: route ÷ raw',
    values: (r) => r.ingest.ratio,
    digits: 2,
    goal: '≥ 0.9',
    met: (m) => m >= 0.9,
  },
];

/** The headline table, markdown, as docs/performance.md keeps it: median (min–max) over the runs. */
export function goalsTable(runs: RunResult[]): string {
  const lines = [
    `| figure (${runs[0]!.profile}, ${runs.length} run${runs.length > 1 ? 's' : ''}) | median (min–max) | goal | met |`,
    '| --- | --- | --- | --- |',
  ];
  for (const row of ROWS) {
    const values = runs.map(row.values);
    const met = row.met ? (row.met(median(values)) ? 'yes' : '**no**') : '';
    lines.push(`| ${row.figure} | ${spread(values, row.digits)} | ${row.goal} | ${met} |`);
  }
  return lines.join('\n');
}

const SCENARIOS: Array<[string, (r: RunResult) => PhaseResult]> = [
  ['idle', (r) => r.idle],
  ['1,500/min', (r) => r.steady],
  ['3,000/min burst', (r) => r.burst],
];

/** A markdown table with one column per scenario after `title`, then any `extra` columns. */
function scenarioTable(
  title: string,
  extra: string[],
  rows: Array<{ label: string; cells: string[] }>,
): string {
  const headers = [title, ...SCENARIOS.map(([n]) => n), ...extra];
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => ' --- |').join('')}`,
    ...rows.map(({ label, cells }) => `| ${label} | ${cells.join(' | ')} |`),
  ].join('\n');
}

/** One row per run: `cell` of each scenario's result, then `extra(run)`. */
function perRun(
  runs: RunResult[],
  cell: (phase: PhaseResult) => string,
  extra: (r: RunResult) => string[] = () => [],
): Array<{ label: string; cells: string[] }> {
  return runs.map((r, i) => ({
    label: `run ${i + 1}`,
    cells: [...SCENARIOS.map(([, pick]) => cell(pick(r))), ...extra(r)],
  }));
}

/** Where a reset's time goes: each phase's p50 / p99 (medians over the runs), per scenario. */
export function phaseTable(runs: RunResult[]): string {
  const rows = PHASES.map((phase) => ({
    label: phase as string,
    cells: SCENARIOS.map(([, pick]) => {
      const p50 = median(runs.map((r) => pick(r).breakdown.phases[phase].p50));
      const p99 = median(runs.map((r) => pick(r).breakdown.phases[phase].p99));
      return `${Math.round(p50)} / ${Math.round(p99)}`;
    }),
  }));
  // A history that could not be read (a server too busy to answer) leaves its reset out.
  rows.push({
    label: 'resets with a readable history',
    cells: SCENARIOS.map(([, pick]) => runs.map((r) => pick(r).breakdown.phases.api.count).join(' + ')),
  });
  return scenarioTable('reset phase, p50 / p99 ms', [], rows);
}

/**
 * CPU per scenario: the stack and bench vs everything else on the machine (% of one core), the
 * moments the machine stopped an idle thread (if any), the eager-dispatch count of the run, and
 * the machine's speed around it.
 */
export function cpuTable(runs: RunResult[]): string {
  const cpuCell = ({ cpu, machineStalls }: PhaseResult) => {
    const stalls = machineStalls?.stalls.length
      ? `; machine stalled ${machineStalls.stalls.length}×, longest ${machineStalls.longestMs} ms`
      : '';
    return cpu ? `${cpu.bench} / ${cpu.other}${stalls}` : 'n/a';
  };
  const speed = (r: RunResult) => {
    const s = r.machineSpeed;
    if (!s) return 'n/a';
    return `SHA-256 ${s.before.hashMBps} / ${s.after.hashMBps}; fresh memory ${s.before.freshMemoryMBps} / ${s.after.freshMemoryMBps}`;
  };
  return scenarioTable(
    'cpu % of one core, stack / other',
    ["activities dispatched eagerly (resets' server)", 'machine speed before / after, MB/s'],
    perRun(runs, cpuCell, (r) => [String(r.eagerActivityDispatches ?? 'n/a'), speed(r)]),
  );
}

/**
 * The disk per scenario and run: MB written per second, and the device's mean time per write
 * and per flush. A run that is slow with the same MB/s but slower flushes met a slower disk.
 */
export function diskTable(runs: RunResult[]): string {
  const diskCell = ({ disk }: PhaseResult) => {
    if (!disk) return 'n/a';
    const stalled = disk.ioStalledPct === undefined ? '' : `, ${disk.ioStalledPct} %`;
    return `${disk.writtenMBPerSecond} MB/s, ${disk.msPerWrite} / ${disk.msPerFlush} ms${stalled}`;
  };
  return scenarioTable(
    'disk: MB/s written, ms per write / per flush, % of time stalled on I/O',
    [],
    perRun(runs, diskCell),
  );
}
