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
    const d = desiredReplicas(1, backlog({ backlogCount: 350 }), policy);
    assert.deepEqual([d.replicas, d.direction], [4, 'up']);
    assert.equal(desiredReplicas(2, backlog({ backlogCount: 5_000 }), policy).replicas, 8);
    const atMax = desiredReplicas(8, backlog({ backlogCount: 5_000 }), policy);
    assert.deepEqual([atMax.replicas, atMax.direction], [8, 'steady']);
    assert.match(atMax.reason, /at max/);
  });

  it('adds a replica when the oldest task has waited too long, even for a small backlog', () => {
    const d = desiredReplicas(2, backlog({ backlogCount: 10, oldestAgeSeconds: 45 }), policy);
    assert.equal(d.replicas, 3);
    assert.match(d.reason, /waited 45/);
  });

  it('scales down one step at a time, only when the backlog is empty and draining', () => {
    const d = desiredReplicas(5, backlog({ addRate: 3, dispatchRate: 5 }), policy);
    assert.deepEqual([d.replicas, d.direction], [4, 'down']);
    assert.equal(desiredReplicas(5, backlog({ addRate: 9, dispatchRate: 5 }), policy).replicas, 5);
    assert.equal(desiredReplicas(5, backlog({ backlogCount: 50 }), policy).replicas, 5);
    assert.equal(desiredReplicas(1, backlog({}), policy).replicas, 1);
  });

  it('waits out the cool-down after a change before scaling in, but never before scaling out', () => {
    const cooling = { ...policy, cooldownSeconds: 20 };
    const held = desiredReplicas(4, backlog({}), cooling, 5);
    assert.deepEqual([held.replicas, held.direction], [4, 'steady']);
    assert.match(held.reason, /cooling down/);
    assert.equal(desiredReplicas(4, backlog({}), cooling, 21).replicas, 3);
    assert.equal(desiredReplicas(4, backlog({}), cooling).replicas, 3, 'no change yet: no cool-down');
    assert.equal(desiredReplicas(4, backlog({ backlogCount: 700 }), cooling, 1).replicas, 7);
  });

  it('moves a fleet outside the bounds back inside them first', () => {
    assert.deepEqual(desiredReplicas(0, backlog({}), policy).replicas, 1);
    const d = desiredReplicas(12, backlog({ backlogCount: 5_000 }), policy);
    assert.deepEqual([d.replicas, d.direction], [8, 'down']);
  });

  it("adds no replica while the machine's CPU is at its ceiling, and does once it is below", () => {
    const local = { ...policy, cpuCeiling: 0.8 };
    const held = desiredReplicas(2, backlog({ backlogCount: 700 }), local, Infinity, 0.93);
    assert.deepEqual([held.replicas, held.direction], [2, 'steady']);
    assert.match(held.reason, /held: backlog 700, but the machine's CPU is 93 % busy \(ceiling 80 %\)/);
    assert.equal(desiredReplicas(2, backlog({ backlogCount: 700 }), local, Infinity, 0.5).replicas, 7);
    const old = desiredReplicas(2, backlog({ oldestAgeSeconds: 90 }), local, Infinity, 0.8);
    assert.equal(old.replicas, 2, 'an old backlog is held too');
    // Without a ceiling (replicas on other machines), or without a reading, the backlog decides.
    assert.equal(desiredReplicas(2, backlog({ backlogCount: 700 }), policy, Infinity, 0.99).replicas, 7);
    assert.equal(desiredReplicas(2, backlog({ backlogCount: 700 }), local, Infinity, undefined).replicas, 7);
    // The ceiling never blocks the way down, nor the move back above the minimum.
    assert.equal(desiredReplicas(5, backlog({}), local, Infinity, 0.99).replicas, 4);
    assert.equal(desiredReplicas(0, backlog({ backlogCount: 700 }), local, Infinity, 0.99).replicas, 1);
  });
});
