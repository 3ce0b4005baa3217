import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { Autoscaler } from '../../src/workers/autoscaler/autoscaler.js';
import type { DecisionRecord } from '../../src/workers/autoscaler/decision-line.js';
import type { LaneBacklog } from '../../src/workers/autoscaler/lane-backlog.js';
import { machineCpuSampler } from '../../src/workers/autoscaler/machine-cpu.js';
import type { ScalingPolicy } from '../../src/workers/autoscaler/scaling-policy.js';

/** One busy loop per core for `ms`: the machine's CPU really is saturated meanwhile. */
function saturateCpu(ms: number): ChildProcess[] {
  return cpus().map(() =>
    spawn(process.execPath, ['-e', `const end = Date.now() + ${ms}; while (Date.now() < end) {}`], {
      stdio: 'ignore',
    }),
  );
}

/**
 * The autoscaler's loop reading this machine's real CPU counters while every core is kept busy:
 * with the local ceiling it holds the fleet however large the backlog; the same loop without a
 * ceiling (replicas on other machines) scales out. The backlog is a constant: what is under test
 * is what the machine's CPU does to the decision.
 */
describe("autoscaler: the machine's CPU bounds the local fleet", function () {
  this.timeout(60_000);
  const policy: ScalingPolicy = {
    minReplicas: 1,
    maxReplicas: 4,
    backlogPerReplica: 10,
    maxBacklogAgeSeconds: 30,
  };
  const backlog: LaneBacklog = {
    taskQueue: 'video',
    backlogCount: 400,
    oldestAgeSeconds: 60,
    addRate: 40,
    dispatchRate: 30,
  };

  async function decisionsUnderLoad(
    cpuCeiling: number | undefined,
  ): Promise<{ decisions: DecisionRecord[]; fleet: number[] }> {
    const fleet: number[] = [];
    const decisions: DecisionRecord[] = [];
    const autoscaler = new Autoscaler({
      taskQueue: 'video',
      policy: { ...policy, ...(cpuCeiling !== undefined && { cpuCeiling }) },
      intervalMs: 1_000,
      readBacklog: async () => backlog,
      readMachineCpu: machineCpuSampler(),
      scaleTo: async (n) => void fleet.push(n),
      onDecision: (d) => decisions.push(d),
    });
    const burners = saturateCpu(6_000);
    try {
      await new Promise((r) => setTimeout(r, 1_000)); // the burners are running before the first reading
      await autoscaler.start();
      // Three of the loop's own ticks, one a second.
      await new Promise((r) => setTimeout(r, 3_500));
    } finally {
      await autoscaler.stop();
      for (const b of burners) b.kill('SIGKILL');
    }
    return { decisions, fleet };
  }

  it('holds the fleet while every core is busy, and scales out without the ceiling', async () => {
    const held = await decisionsUnderLoad(0.8);
    assert.deepEqual(held.fleet, [1], `the fleet moved: ${held.decisions.map((d) => d.reason).join('; ')}`);
    for (const d of held.decisions)
      assert.match(d.reason, /^held: .*machine's CPU is \d+ % busy \(ceiling 80 %\)/);

    const free = await decisionsUnderLoad(undefined);
    assert.equal(
      free.fleet.at(-1),
      4,
      `without a ceiling: ${free.decisions.map((d) => d.reason).join('; ')}`,
    );
  });
});
