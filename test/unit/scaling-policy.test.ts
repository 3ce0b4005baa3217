import assert from 'node:assert/strict';
import { desiredReplicas, type ScalingPolicy } from '../../src/workers/autoscaler/scaling-policy.js';
import type { LaneBacklog } from '../../src/workers/autoscaler/lane-backlog.js';

const policy: ScalingPolicy = {
  minReplicas: 1,
  maxReplicas: 8,
  backlogPerReplica: 100,
  maxBacklogAgeSeconds: 30,
};
const backlog = (b: Partial<LaneBacklog>): LaneBacklog => ({
  taskQueue: 'video',
  backlogCount: 0,
  oldestAgeSeconds: 0,
  addRate: 0,
  dispatchRate: 0,
  ...b,
});

describe('autoscaler policy', () => {
  it('scales up with the backlog, capped at the maximum', () => {
    assert.equal(desiredReplicas(1, backlog({ backlogCount: 350 }), policy).replicas, 4);
    assert.equal(desiredReplicas(2, backlog({ backlogCount: 5_000 }), policy).replicas, 8);
  });

  it('adds a replica when the oldest task has waited too long, even for a small backlog', () => {
    const d = desiredReplicas(2, backlog({ backlogCount: 10, oldestAgeSeconds: 45 }), policy);
    assert.equal(d.replicas, 3);
    assert.match(d.reason, /waited 45/);
  });

  it('scales down one step at a time, only when the backlog is empty and draining', () => {
    assert.equal(desiredReplicas(5, backlog({ addRate: 3, dispatchRate: 5 }), policy).replicas, 4);
    assert.equal(desiredReplicas(5, backlog({ addRate: 9, dispatchRate: 5 }), policy).replicas, 5);
    assert.equal(desiredReplicas(5, backlog({ backlogCount: 50 }), policy).replicas, 5);
    assert.equal(desiredReplicas(1, backlog({}), policy).replicas, 1);
  });
});
