import { productCpuPerThousand } from './engine-report.js';
import type { CeilingRunResult } from './ceiling-run.js';
import { spread } from './report.js';

/** What the repeats table reads of one rate in one run. */
export interface RepeatStep {
  perMinute: number;
  sustained: boolean;
  ackP99Ms: number;
  resetP99Ms: number;
  resetRatio: number;
  productCpuPerThousand: number;
}

/** One run of one profile, reduced to what is compared across runs. */
export interface RepeatRun {
  idleResetP99Ms: number;
  ceiling: string;
  steps: RepeatStep[];
}

export function repeatRunOf(r: CeilingRunResult, ceiling: string): RepeatRun {
  return {
    idleResetP99Ms: r.idle.reset.p99,
    ceiling,
    steps: r.steps.map((s) => ({
      perMinute: s.perMinute,
      sustained: s.verdict.sustained,
      ackP99Ms: s.webhooks.ack.p99,
      resetP99Ms: s.reset.p99,
      resetRatio: s.verdict.resetRatio,
      productCpuPerThousand: productCpuPerThousand(s.webhookCost),
    })),
  };
}

/**
 * Several runs of one profile side by side: per rate, how many runs sustained it and each figure
 * as "median (min–max)" over the runs that reached that rate (a run stops at its first failure).
 */
export function repeatsTable(profile: string, runs: RepeatRun[]): string {
  const n = runs.length;
  const lines = [
    `**${profile}**, ${n} runs: ceilings ${runs.map((r) => r.ceiling).join(' · ')}; idle reset p99 ms ${spread(runs.map((r) => r.idleResetP99Ms))}`,
    '',
    '| webhooks/min | sustained in | ack p99 ms | reset p99 ms | ÷ idle | product CPU s / 1,000 |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  const rates = [...new Set(runs.flatMap((r) => r.steps.map((s) => s.perMinute)))].sort((a, b) => a - b);
  for (const perMinute of rates) {
    const steps = runs.flatMap((r) => r.steps.filter((s) => s.perMinute === perMinute));
    const of = (pick: (s: RepeatStep) => number, digits = 0) => {
      const values = steps.map(pick).filter((v) => !Number.isNaN(v));
      return values.length ? spread(values, digits) : 'n/a';
    };
    lines.push(
      `| ${perMinute} | ${steps.filter((s) => s.sustained).length} of ${steps.length} run(s) | ${of((s) => s.ackP99Ms)} | ` +
        `${of((s) => s.resetP99Ms)} | ${of((s) => s.resetRatio, 2)} | ${of((s) => s.productCpuPerThousand, 1)} |`,
    );
  }
  return lines.join('\n');
}
