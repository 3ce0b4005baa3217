import assert from 'node:assert/strict';
import { netOfIdle } from '../../../bench/ceiling-cost.js';
import { productCpuPerThousand } from '../../../bench/engine-report.js';
import { PROCESS_ROLES, type CpuSecondsByRole } from '../../../bench/process-cpu.js';
import { parseCeilingOptions, parseDuration } from '../../../bench/ceiling-options.js';
import { ceilingOf, judgeStep, type StepFigures } from '../../../bench/ceiling-verdict.js';

const IDLE_P99 = 400;
const step = (perMinute: number, over: Partial<StepFigures> = {}): StepFigures => ({
  perMinute,
  ackP99Ms: 120,
  resetP99Ms: 700,
  webhooksLost: 0,
  jobsNotCompleted: 0,
  resetsLost: 0,
  ...over,
});
const judged = (figures: StepFigures) => ({
  perMinute: figures.perMinute,
  verdict: judgeStep(figures, IDLE_P99),
});

describe('bench: the ceiling verdict', () => {
  it('sustains a rate within both limits, with the reset p99 as a ratio of idle', () => {
    assert.deepEqual(judgeStep(step(1000), IDLE_P99), { sustained: true, resetRatio: 1.75, reasons: [] });
    // On the limits is still within them.
    assert.equal(judgeStep(step(1000, { ackP99Ms: 200, resetP99Ms: 800 }), IDLE_P99).sustained, true);
  });

  it('fails a rate whose acks or resets are too slow, and says which', () => {
    assert.deepEqual(judgeStep(step(1500, { ackP99Ms: 201 }), IDLE_P99).reasons, ['ack p99 201 ms > 200']);
    const slowResets = judgeStep(step(1500, { resetP99Ms: 900 }), IDLE_P99);
    assert.equal(slowResets.sustained, false);
    assert.deepEqual(slowResets.reasons, ['reset p99 2.25× idle > 2×']);
  });

  it('fails a rate that lost anything, however fast it was', () => {
    for (const loss of [{ webhooksLost: 1 }, { jobsNotCompleted: 1 }, { resetsLost: 1 }]) {
      const v = judgeStep(step(1000, { ackP99Ms: 10, resetP99Ms: 100, ...loss }), IDLE_P99);
      assert.equal(v.sustained, false, JSON.stringify(loss));
      assert.equal(v.reasons.length, 1);
    }
  });

  it('fails a rate whose figures could not be measured (no acks, no idle baseline)', () => {
    assert.equal(judgeStep(step(1000, { ackP99Ms: NaN }), IDLE_P99).sustained, false);
    const noIdle = judgeStep(step(1000), 0);
    assert.equal(noIdle.sustained, false);
    assert.ok(Number.isNaN(noIdle.resetRatio));
  });

  it('puts the ceiling at the last sustained rate before the first failure', () => {
    const steps = [judged(step(1000)), judged(step(1500)), judged(step(2000, { ackP99Ms: 350 }))];
    assert.deepEqual(ceilingOf(steps), { perMinute: 1500, firstFailure: 2000 });
    // With --all a later rate may pass again; the ceiling stays below the first failure.
    assert.deepEqual(ceilingOf([...steps, judged(step(2500))]), { perMinute: 1500, firstFailure: 2000 });
    assert.deepEqual(ceilingOf(steps.slice(0, 2)), { perMinute: 1500 });
    assert.deepEqual(ceilingOf([judged(step(1000, { resetsLost: 3 }))]), { firstFailure: 1000 });
  });

  it('reads the command line: rates ascending, hold in s or m, unknown profiles refused', () => {
    const o = parseCeilingOptions(['--rates', '600,300', '--hold', '20s', '--profile', 'dev']);
    assert.deepEqual(
      [o.ratesPerMinute, o.holdMs, o.profiles, o.resetsPerSecond],
      [[300, 600], 20_000, ['dev'], 5],
    );
    assert.equal(parseCeilingOptions([]).holdMs, 300_000);
    assert.equal(parseCeilingOptions([]).idleMs, 120_000);
    assert.equal(parseCeilingOptions(['--idle', '45s']).idleMs, 45_000);
    assert.throws(() => parseCeilingOptions(['--idle', '5s']), /--idle/);
    assert.equal(parseDuration('90'), 90_000);
    assert.ok(Number.isNaN(parseDuration('5h')));
    assert.throws(() => parseCeilingOptions(['--profile', 'k8s']), /--profile/);
    assert.throws(() => parseCeilingOptions(['--hold', '1s']), /--hold/);
  });

  it("takes the idle baseline's rate over the step's span off the step's cost, never below zero", () => {
    const cpu = (over: Partial<CpuSecondsByRole>) =>
      ({ ...Object.fromEntries(PROCESS_ROLES.map((r) => [r, 0])), ...over }) as CpuSecondsByRole;
    // Idle: 30 s of resets alone. Step: 60 s, 3,000 webhooks accepted (1,000 jobs).
    const idle = {
      seconds: 30,
      cpuSeconds: cpu({ temporal: 3, api: 1, 'worker-urgent': 6 }),
      serverWork: { persistenceRequests: 15_000, visibilityRequests: undefined },
    };
    const step = {
      perMinute: 3_000,
      webhooksAccepted: 3_000,
      cpuSeconds: cpu({ temporal: 36, api: 8, 'worker-urgent': 10, 'worker-video': 12 }),
      serverWorkPerJob: { persistenceRequests: 90, visibilityRequests: 12 },
    };
    const net = netOfIdle(step, 60_000, idle);
    assert.deepEqual(
      [
        net.cpuSeconds.temporal,
        net.cpuSeconds.api,
        net.cpuSeconds['worker-urgent'],
        net.cpuSeconds['worker-video'],
      ],
      [30, 6, 0, 12],
    );
    assert.equal(productCpuPerThousand(net), 16);
    // 30,000 idle requests over the span, 30 per job; no idle figure, no net figure.
    assert.deepEqual(net.serverWorkPerJob, { persistenceRequests: 60, visibilityRequests: undefined });
  });
});
