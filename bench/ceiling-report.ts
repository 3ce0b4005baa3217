import { PRODUCT_ROLES } from './process-cpu.js';
import { perThousand, productCpuPerThousand } from './engine-report.js';
import type { CeilingRunResult, JudgedStep } from './ceiling-run.js';
import { CEILING_LIMITS, type Ceiling } from './ceiling-verdict.js';

const f = (v: number | undefined, digits = 0) =>
  v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(digits);

/** The ceiling in words: "1500/min (2000/min failed)", "below 1000/min …", "at least …". */
export function ceilingText({ perMinute, firstFailure }: Ceiling): string {
  if (perMinute === undefined) return `below ${firstFailure}/min (the lowest rate tried failed)`;
  if (firstFailure === undefined) return `at least ${perMinute}/min (no rate tried failed)`;
  return `${perMinute}/min (${firstFailure}/min failed)`;
}

/** One line on the profile's ceiling. */
export function ceilingLine(r: CeilingRunResult): string {
  return `**${r.profile}**: ${ceilingText(r.ceiling)}`;
}

/** Per rate: acks, resets against idle, losses, 503s and the verdict. */
export function stepTable(r: CeilingRunResult): string {
  const lines = [
    `| webhooks/min | ack p50 ms | ack p99 ms (≤ ${CEILING_LIMITS.ackP99Ms}) | reset p99 ms | ÷ idle ${f(r.idle.reset.p99)} ms (≤ ${CEILING_LIMITS.resetRatio}) | lost webhooks / jobs / resets | 503s | drain s | verdict |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const s of r.steps) {
    lines.push(
      `| ${s.perMinute} | ${f(s.webhooks.ack.p50)} | ${f(s.webhooks.ack.p99)} | ${f(s.reset.p99)} | ${f(s.verdict.resetRatio, 2)} | ` +
        `${s.webhooks.lost} / ${s.jobs.notCompleted} / ${s.resetsLost} | ${s.webhooks.answered503} | ${f(s.drainMs / 1000)} | ` +
        `${s.verdict.sustained ? 'sustained' : `**fails**: ${s.verdict.reasons.join('; ')}`} |`,
    );
  }
  return lines.join('\n');
}

/**
 * Per rate: CPU seconds per 1,000 accepted webhooks by product process, less the idle baseline
 * (resets and the idle stack) over the same span, as the bench's cost phase (no resets) counts
 * them; the gross product figure beside them; and the engine's work per job, likewise net.
 */
export function costTable(r: CeilingRunResult): string {
  const lines = [
    `| webhooks/min | ${PRODUCT_ROLES.join(' | ')} | **product** | product, resets included | persistence req/job | visibility req/job | history events/job |`,
    `| --- | ${PRODUCT_ROLES.map(() => '---').join(' | ')} | --- | --- | --- | --- | --- |`,
  ];
  for (const s of r.steps) {
    const roles = PRODUCT_ROLES.map((role) =>
      f(
        perThousand(s.webhookCost, (cpu) => cpu[role]),
        1,
      ),
    );
    const work = s.webhookCost.serverWorkPerJob;
    lines.push(
      `| ${s.perMinute} | ${roles.join(' | ')} | ${f(productCpuPerThousand(s.webhookCost), 1)} | ${f(productCpuPerThousand(s.cost), 1)} | ` +
        `${f(work.persistenceRequests, 1)} | ${f(work.visibilityRequests, 1)} | ${f(s.jobHistory?.events)} |`,
    );
  }
  return lines.join('\n');
}

/** A step's figures and verdict on one line, logged as each step ends (kept if a later step fails). */
export function stepSummary(s: JudgedStep): string {
  return (
    `${s.perMinute}/min: ack p50/p99 ${f(s.webhooks.ack.p50)}/${f(s.webhooks.ack.p99)} ms, reset p99 ${f(s.reset.p99)} ms ` +
    `(${f(s.verdict.resetRatio, 2)}× idle), lost ${s.webhooks.lost}/${s.jobs.notCompleted}/${s.resetsLost}, ` +
    `503s ${s.webhooks.answered503}, product CPU ${f(productCpuPerThousand(s.webhookCost), 1)} s/1000, ` +
    `drained in ${f(s.drainMs / 1000)} s: ${s.verdict.sustained ? 'sustained' : `not sustained (${s.verdict.reasons.join('; ')})`}`
  );
}
