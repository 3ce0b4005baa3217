import type { LaneBacklog } from './lane-backlog.js';
import type { ScalingDirection } from './scaling-policy.js';

/** One scaling decision as the autoscaler took it. */
export interface DecisionRecord {
  at: Date;
  backlog: LaneBacklog;
  from: number;
  to: number;
  direction: ScalingDirection;
  reason: string;
}

/** The decision on one log line: time, backlog count and age, rates, from → to, reason. */
export function formatDecision(d: DecisionRecord): string {
  const b = d.backlog;
  return (
    `${d.at.toISOString()} ${b.taskQueue} backlog=${b.backlogCount} oldest=${b.oldestAgeSeconds.toFixed(1)}s ` +
    `add=${b.addRate.toFixed(1)}/s dispatch=${b.dispatchRate.toFixed(1)}/s ` +
    `replicas ${d.from} → ${d.to} (${d.reason})`
  );
}
