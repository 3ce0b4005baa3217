import assert from 'node:assert/strict';
import { machineCpuSampler } from '../../src/workers/autoscaler/machine-cpu.js';

/** /proc/stat's first line: user nice system idle iowait irq softirq steal (ticks). */
const stat = (user: number, idle: number, iowait = 0) =>
  `cpu  ${user} 0 0 ${idle} ${iowait} 0 0 0 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n`;

describe('machine CPU sampler', () => {
  it('gives the busy share between two readings, idle and iowait counted as not busy', () => {
    const lines = [stat(100, 100), stat(190, 110), stat(200, 150, 50)];
    const sample = machineCpuSampler(() => lines.shift()!);
    assert.equal(sample(), 0.9);
    assert.equal(sample(), 0.1);
  });

  it('gives nothing rather than a guess when the counters cannot be read', () => {
    const lines = ['garbage', stat(1, 1), stat(2, 2)];
    const sample = machineCpuSampler(() => lines.shift()!);
    assert.equal(sample(), undefined);
    assert.equal(sample(), 0.5);
  });
});
