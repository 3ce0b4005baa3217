import type { LaneBacklog } from './lane-backlog.js';

export interface ScalingPolicy {
  minReplicas: number;
  maxReplicas: number;
  /** Backlog one replica is expected to clear in a reasonable time. */
  backlogPerReplica: number;
  /** A backlog older than this asks for one more replica even when it is small. */
  maxBacklogAgeSeconds: number;
  /** No scale-in until this long after the last change (scale-out never waits). */
  cooldownSeconds?: number;
  /**
   * Replicas that share one machine: at or above this busy share of its CPU (0…1), no replica
   * is added, because the machine, not the number of workers, is what holds the backlog. Unset
   * where replicas land on other machines (an orchestrator's nodes).
   */
  cpuCeiling?: number;
}

export type ScalingDirection = 'up' | 'down' | 'steady';

export interface ScalingDecision {
  replicas: number;
  direction: ScalingDirection;
  reason: string;
}

/**
 * Pure decision: how many worker replicas a lane should have given its backlog. Scaling up
 * follows the backlog at once; scaling down goes one replica at a time, only once the backlog
 * is empty and draining (dispatch ≥ add), and not within the cool-down after the last change,
 * so a burst's tail does not flap the fleet. `secondsSinceChange` is Infinity before any change.
 * Where the replicas share one machine, its CPU caps the way up (`cpuCeiling`).
 */
export function desiredReplicas(
  current: number,
  backlog: LaneBacklog,
  policy: ScalingPolicy,
  secondsSinceChange = Infinity,
  machineCpuBusy?: number,
): ScalingDecision {
  const clamp = (n: number) => Math.min(policy.maxReplicas, Math.max(policy.minReplicas, n));
  const decide = (replicas: number, reason: string): ScalingDecision => ({
    replicas,
    reason,
    direction: replicas > current ? 'up' : replicas < current ? 'down' : 'steady',
  });
  // Outside the bounds (settings changed, first tick): move inside them before anything else.
  if (current < policy.minReplicas) return decide(policy.minReplicas, 'scale up: below minimum');
  if (current > policy.maxReplicas) return decide(policy.maxReplicas, 'scale down: above maximum');

  const byCount = Math.ceil(backlog.backlogCount / policy.backlogPerReplica);
  const tooOld = backlog.oldestAgeSeconds > policy.maxBacklogAgeSeconds;
  const wanted = Math.max(byCount, tooOld ? current + 1 : 0);
  if (wanted > current) {
    const replicas = clamp(wanted);
    const why = tooOld
      ? `oldest task waited ${backlog.oldestAgeSeconds.toFixed(1)} s`
      : `backlog ${backlog.backlogCount}`;
    if (replicas > current && cpuSaturated(policy, machineCpuBusy)) {
      const pct = (n: number) => `${Math.round(n * 100)} %`;
      return decide(
        current,
        `held: ${why}, but the machine's CPU is ${pct(machineCpuBusy!)} busy (ceiling ${pct(policy.cpuCeiling!)})`,
      );
    }
    return decide(replicas, replicas > current ? `scale up: ${why}` : `at max: ${why}`);
  }
  const draining = backlog.backlogCount === 0 && backlog.dispatchRate >= backlog.addRate;
  if (draining && current > policy.minReplicas) {
    const cooldown = policy.cooldownSeconds ?? 0;
    if (secondsSinceChange < cooldown) {
      return decide(current, `cooling down: ${secondsSinceChange.toFixed(0)} of ${cooldown} s`);
    }
    return decide(clamp(current - 1), 'scale down: backlog empty');
  }
  return decide(current, 'steady');
}

function cpuSaturated(policy: ScalingPolicy, busy: number | undefined): boolean {
  return policy.cpuCeiling !== undefined && busy !== undefined && busy >= policy.cpuCeiling;
}
