import assert from 'node:assert/strict';
import { repeatsTable, type RepeatRun, type RepeatStep } from '../../../bench/ceiling-repeats.js';

const step = (perMinute: number, over: Partial<RepeatStep> = {}): RepeatStep => ({
  perMinute,
  sustained: true,
  ackP99Ms: 100,
  resetP99Ms: 150,
  resetRatio: 1.5,
  productCpuPerThousand: 40,
  ...over,
});

const rowOf = (table: string, perMinute: number) =>
  table
    .split('\n')
    .find((line) => line.startsWith(`| ${perMinute} |`))
    ?.split('|')
    .slice(1, -1)
    .map((cell) => cell.trim());

describe('ceiling: several runs of one profile side by side', () => {
  const runs: RepeatRun[] = [
    {
      idleResetP99Ms: 80,
      ceiling: '1000/min (1500/min failed)',
      steps: [step(1000), step(1500, { sustained: false, ackP99Ms: 210 })],
    },
    {
      idleResetP99Ms: 100,
      ceiling: 'below 1000/min',
      steps: [step(1000, { sustained: false, ackP99Ms: 120, resetRatio: 2.5, productCpuPerThousand: 44 })],
    },
    {
      idleResetP99Ms: 90,
      ceiling: '1000/min (1500/min failed)',
      steps: [
        step(1000, { ackP99Ms: 130, resetRatio: 1.9 }),
        step(1500, { sustained: false, ackP99Ms: NaN }),
      ],
    },
  ];
  const table = repeatsTable('cluster', runs);

  it('counts, per rate, the runs that sustained it among those that reached it', () => {
    assert.equal(rowOf(table, 1000)?.[1], '2 of 3 run(s)');
    assert.equal(rowOf(table, 1500)?.[1], '0 of 2 run(s)');
  });

  it('gives each figure as median (min–max) over the runs, and leaves out what was not measured', () => {
    assert.deepEqual(rowOf(table, 1000)?.slice(2), [
      '120 (100–130)',
      '150 (150–150)',
      '1.90 (1.50–2.50)',
      '40.0 (40.0–44.0)',
    ]);
    // One run's ack p99 could not be read: the other is the figure, not NaN.
    assert.equal(rowOf(table, 1500)?.[2], '210');
  });

  it("names every run's ceiling and the idle p99 spread", () => {
    assert.match(table, /3 runs: ceilings 1000\/min \(1500\/min failed\) · below 1000\/min · 1000\/min/);
    assert.match(table, /idle reset p99 ms 90 \(80–100\)/);
  });
});
