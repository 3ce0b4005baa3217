/** What the ceiling asks of a rate: the sender's ack p99, and resets no slower than twice idle. */
export interface CeilingLimits {
  ackP99Ms: number;
  resetRatio: number;
}

export const CEILING_LIMITS: CeilingLimits = { ackP99Ms: 200, resetRatio: 2 };

/** One step's measured figures, as the verdict needs them. */
export interface StepFigures {
  perMinute: number;
  /** Accepted webhooks' ack p99 as the sender timed them; NaN when none was accepted. */
  ackP99Ms: number;
  resetP99Ms: number;
  /** Never accepted (a 503 with Retry-After that was redelivered and accepted is not lost). */
  webhooksLost: number;
  /** Jobs the step started that did not complete before the drain deadline. */
  jobsNotCompleted: number;
  /** Resets refused or never mailed. */
  resetsLost: number;
}

export interface StepVerdict {
  sustained: boolean;
  /** Reset p99 ÷ the idle reset p99 of the same stack. */
  resetRatio: number;
  /** Why the rate is not sustained; empty when it is. */
  reasons: string[];
}

/** Whether a rate is sustained: acks in time, resets within the ratio of idle, nothing lost. */
export function judgeStep(
  step: StepFigures,
  idleResetP99Ms: number,
  limits: CeilingLimits = CEILING_LIMITS,
): StepVerdict {
  const resetRatio = idleResetP99Ms > 0 ? step.resetP99Ms / idleResetP99Ms : NaN;
  const reasons: string[] = [];
  // NaN fails every comparison below: a figure that could not be measured is not a pass.
  if (!(step.ackP99Ms <= limits.ackP99Ms)) reasons.push(`ack p99 ${step.ackP99Ms} ms > ${limits.ackP99Ms}`);
  if (!(resetRatio <= limits.resetRatio))
    reasons.push(
      `reset p99 ${Number.isNaN(resetRatio) ? 'n/a' : resetRatio.toFixed(2)}× idle > ${limits.resetRatio}×`,
    );
  if (step.webhooksLost > 0) reasons.push(`${step.webhooksLost} webhooks lost`);
  if (step.jobsNotCompleted > 0) reasons.push(`${step.jobsNotCompleted} jobs not completed`);
  if (step.resetsLost > 0) reasons.push(`${step.resetsLost} resets lost`);
  return { sustained: reasons.length === 0, resetRatio, reasons };
}

export interface Ceiling {
  /** The highest rate sustained with every lower rate sustained too; undefined when the lowest failed. */
  perMinute?: number;
  /** The first rate that failed; undefined when none did (the ceiling is at least `perMinute`). */
  firstFailure?: number;
}

/** The ceiling over steps run in ascending order: the last sustained rate before the first failure. */
export function ceilingOf(steps: ReadonlyArray<{ perMinute: number; verdict: StepVerdict }>): Ceiling {
  const ceiling: Ceiling = {};
  for (const step of steps) {
    if (!step.verdict.sustained) return { ...ceiling, firstFailure: step.perMinute };
    ceiling.perMinute = step.perMinute;
  }
  return ceiling;
}
