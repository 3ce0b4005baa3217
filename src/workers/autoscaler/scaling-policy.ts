import type { LaneBacklog } from './lane-backlog.js';

export interface ScalingPolicy {
  minReplicas: number;
  maxReplicas: number;
  /** Backlog one replica is expected to clear in a reasonable time. */
  backlogPerReplica: number;
  /** A backlog older than this asks for one more replica even when it is small. */
  maxBacklogAgeSeconds: number;
}

export interface ScalingDecision {
  replicas: number;
  reason: string;
}

/**
 * Pure decision: how many worker replicas a lane should have given its backlog. Scaling up
 * follows the backlog at once; scaling down goes one replica at a time, and only once the
 * backlog is empty and draining (dispatch ≥ add), so a burst's tail does not flap the fleet.
 */
export function desiredReplicas(
  current: number,
  backlog: LaneBacklog,
  policy: ScalingPolicy,
): ScalingDecision {
  const clamp = (n: number) => Math.min(policy.maxReplicas, Math.max(policy.minReplicas, n));
  const byCount = Math.ceil(backlog.backlogCount / policy.backlogPerReplica);
  const tooOld = backlog.oldestAgeSeconds > policy.maxBacklogAgeSeconds;
  const wanted = Math.max(byCount, tooOld ? current + 1 : 0);
  if (wanted > current) {
    const replicas = clamp(wanted);
    const why = tooOld
      ? `oldest task waited ${backlog.oldestAgeSeconds.toFixed(1)} s`
      : `backlog ${backlog.backlogCount}`;
    return { replicas, reason: replicas > current ? `scale up: ${why}` : `at max: ${why}` };
  }
  if (backlog.backlogCount === 0 && backlog.dispatchRate >= backlog.addRate && current > policy.minReplicas) {
    return { replicas: clamp(current - 1), reason: 'scale down: backlog empty' };
  }
  return { replicas: clamp(current), reason: 'steady' };
}
