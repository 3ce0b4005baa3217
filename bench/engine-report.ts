import { PROCESS_ROLES, PRODUCT_ROLES, type CpuSecondsByRole } from './process-cpu.js';
import { spread } from './report.js';
import type { JobHistoryCost } from './engine-work.js';
import type { RunResult, StormEngineCost } from './run-once.js';

/** Goal for the product's CPU per 1,000 webhooks at 1,500/min on the cluster profile. */
export const PRODUCT_CPU_GOAL_SECONDS = 20;

/** CPU seconds per 1,000 webhooks the API accepted over a window; NaN when it accepted none. */
export function perThousand(
  cost: StormEngineCost | undefined,
  seconds: (cpu: CpuSecondsByRole) => number,
): number {
  if (!cost || cost.webhooksAccepted === 0) return NaN;
  return seconds(cost.cpuSeconds) / (cost.webhooksAccepted / 1000);
}

export const productCpuPerThousand = (cost: StormEngineCost | undefined) =>
  perThousand(cost, (cpu) => PRODUCT_ROLES.reduce((sum, role) => sum + cpu[role], 0));

/**
 * CPU seconds per 1,000 accepted webhooks, process by process, over the cost phase (the steady
 * storm without resets; PostgreSQL's backends included). "product" adds up what a deployment
 * runs; the provider simulator, the SMTP sink and the bench stand in for the world outside.
 */
export function processCpuTable(runs: RunResult[]): string {
  const rate = runs[0]?.cost?.perMinute ?? NaN;
  const lines = [
    `| CPU s per 1,000 webhooks at ${rate}/min, no resets (${runs[0]?.profile}) | median (min–max) over ${runs.length} run${runs.length > 1 ? 's' : ''} |`,
    '| --- | --- |',
  ];
  const row = (label: string, value: (cost: StormEngineCost | undefined) => number) =>
    lines.push(
      `| ${label} | ${spread(
        runs.map((r) => value(r.cost)),
        1,
      )} |`,
    );
  for (const role of PROCESS_ROLES) row(role, (cost) => perThousand(cost, (cpu) => cpu[role]));
  row(
    `**product** (${PRODUCT_ROLES.join(' + ')}); goal ≤ ${PRODUCT_CPU_GOAL_SECONDS} on the cluster`,
    productCpuPerThousand,
  );
  return lines.join('\n');
}

const HISTORY_ROWS: Array<[string, keyof Omit<JobHistoryCost, 'sampled'>]> = [
  ['history events', 'events'],
  ['workflow tasks', 'workflowTasks'],
  ['search-attribute upserts (visibility writes)', 'upserts'],
  ['timers started', 'timersStarted'],
  ['timers cancelled', 'timersCanceled'],
  ['activities', 'activities'],
];

/** What one video job costs the engine: its history (sampled completed jobs) and the server's own persistence counters. */
export function engineWorkTable(runs: RunResult[]): string {
  const lines = [`| per video job (${runs[0]?.profile}) | median (min–max) over runs |`, '| --- | --- |'];
  for (const [label, key] of HISTORY_ROWS) {
    lines.push(`| ${label} | ${spread(runs.map((r) => r.jobHistory?.[key] ?? NaN))} |`);
  }
  const work = (r: RunResult) => r.cost?.serverWorkPerJob;
  lines.push(
    `| persistence requests (the server's counter, cost phase) | ${spread(
      runs.map((r) => work(r)?.persistenceRequests ?? NaN),
      1,
    )} |`,
  );
  lines.push(
    `| visibility persistence requests (cost phase) | ${spread(
      runs.map((r) => work(r)?.visibilityRequests ?? NaN),
      1,
    )} |`,
  );
  return lines.join('\n');
}
