import { PROCESS_ROLES, PRODUCT_ROLES, type CpuSecondsByRole } from './process-cpu.js';
import { spread } from './report.js';
import type { JobHistoryCost } from './engine-work.js';
import type { PhaseResult, RunResult } from './run-once.js';

/** Goal for the product's CPU per 1,000 webhooks at 1,500/min on the cluster profile. */
export const PRODUCT_CPU_GOAL_SECONDS = 20;

const STORMS: Array<[string, (r: RunResult) => PhaseResult]> = [
  ['1,500/min', (r) => r.steady],
  ['3,000/min burst', (r) => r.burst],
];

function perThousand(phase: PhaseResult, seconds: (cpu: CpuSecondsByRole) => number): number {
  const cost = phase.engineCost;
  if (!cost || cost.webhooksAccepted === 0) return NaN;
  return seconds(cost.cpuSeconds) / (cost.webhooksAccepted / 1000);
}

export const productCpuPerThousand = (phase: PhaseResult) =>
  perThousand(phase, (cpu) => PRODUCT_ROLES.reduce((sum, role) => sum + cpu[role], 0));

/**
 * CPU seconds per 1,000 accepted webhooks, process by process, from a storm's first webhook
 * until its last video job closed (PostgreSQL's backends included). "product" adds up what a
 * deployment runs; the provider simulator, the SMTP sink and the bench stand in for the world.
 */
export function processCpuTable(runs: RunResult[]): string {
  const header = `| CPU s per 1,000 webhooks (${runs[0]?.profile}, ${runs.length} run${runs.length > 1 ? 's' : ''}) | ${STORMS.map(([n]) => n).join(' | ')} |`;
  const lines = [header, `| --- |${STORMS.map(() => ' --- |').join('')}`];
  const row = (label: string, value: (phase: PhaseResult) => number) =>
    lines.push(
      `| ${label} | ${STORMS.map(([, pick]) =>
        spread(
          runs.map((r) => value(pick(r))),
          1,
        ),
      ).join(' | ')} |`,
    );
  for (const role of PROCESS_ROLES) row(role, (phase) => perThousand(phase, (cpu) => cpu[role]));
  row(
    `**product** (${PRODUCT_ROLES.join(' + ')}); goal ≤ ${PRODUCT_CPU_GOAL_SECONDS} at 1,500/min on the cluster`,
    productCpuPerThousand,
  );
  row('video jobs still running when counted', (phase) => phase.engineCost?.jobsStillRunning ?? NaN);
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
  for (const [name, pick] of STORMS) {
    const work = (r: RunResult) => pick(r).engineCost?.serverWorkPerJob;
    lines.push(
      `| persistence requests, ${name} (server's counter, resets included) | ${spread(
        runs.map((r) => work(r)?.persistenceRequests ?? NaN),
        1,
      )} |`,
    );
    lines.push(
      `| visibility persistence requests, ${name} | ${spread(
        runs.map((r) => work(r)?.visibilityRequests ?? NaN),
        1,
      )} |`,
    );
  }
  return lines.join('\n');
}
