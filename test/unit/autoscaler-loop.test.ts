import assert from 'node:assert/strict';
import { Autoscaler } from '../../src/workers/autoscaler/autoscaler.js';
import { createAutoscalerMetrics } from '../../src/workers/autoscaler/autoscaler-metrics.js';
import { formatDecision, type DecisionRecord } from '../../src/workers/autoscaler/decision-line.js';
import type { LaneBacklog } from '../../src/workers/autoscaler/lane-backlog.js';

const backlog = (backlogCount: number): LaneBacklog => ({
  taskQueue: 'video',
  backlogCount,
  oldestAgeSeconds: backlogCount ? 12.34 : 0,
  addRate: 4,
  dispatchRate: backlogCount ? 1.5 : 4,
});

describe('autoscaler loop', () => {
  it('starts at the minimum, follows the backlog, scales in after the cool-down, and counts it all', async () => {
    const readings = [250, 250, 0, 0, 0];
    const sizes: number[] = [];
    const decisions: DecisionRecord[] = [];
    const metrics = createAutoscalerMetrics();
    let now = 0;
    const realNow = Date.now;
    Date.now = () => now;
    try {
      const scaler = new Autoscaler({
        taskQueue: 'video',
        policy: {
          minReplicas: 1,
          maxReplicas: 3,
          backlogPerReplica: 100,
          maxBacklogAgeSeconds: 60,
          cooldownSeconds: 10,
        },
        intervalMs: 60_000,
        readBacklog: async () => backlog(readings.shift() ?? 0),
        scaleTo: async (n) => void sizes.push(n),
        metrics,
        onDecision: (d) => decisions.push(d),
      });
      now = 1_000;
      await scaler.start();
      for (const t of [2_000, 3_000, 4_000, 20_000, 21_000]) {
        now = t;
        await scaler.tick();
      }
      await scaler.stop();
    } finally {
      Date.now = realNow;
    }
    assert.deepEqual(sizes, [1, 3, 2]);
    assert.deepEqual(
      decisions.map((d) => `${d.from}→${d.to} ${d.direction}`),
      ['1→3 up', '3→3 steady', '3→3 steady', '3→2 down', '2→2 steady'],
    );
    assert.match(decisions[2]!.reason, /cooling down/);
    assert.match(decisions[4]!.reason, /cooling down/);
    const text = await metrics.registry.metrics();
    assert.match(text, /floodgate_autoscaler_replicas\{task_queue="video"\} 2/);
    assert.match(text, /floodgate_autoscaler_decisions_total\{task_queue="video",direction="up"\} 1/);
    assert.match(text, /floodgate_autoscaler_decisions_total\{task_queue="video",direction="down"\} 1/);
    assert.match(text, /floodgate_autoscaler_decisions_total\{task_queue="video",direction="steady"\} 3/);
  });

  it('writes a decision on one line with time, backlog, age, rates, from → to and reason', () => {
    const line = formatDecision({
      at: new Date('2026-01-02T03:04:05.000Z'),
      backlog: backlog(250),
      from: 1,
      to: 3,
      direction: 'up',
      reason: 'scale up: backlog 250',
    });
    assert.equal(
      line,
      '2026-01-02T03:04:05.000Z video backlog=250 oldest=12.3s add=4.0/s dispatch=1.5/s replicas 1 → 3 (scale up: backlog 250)',
    );
  });
});
