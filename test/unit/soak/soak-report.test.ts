import assert from 'node:assert/strict';
import { soakReport, type SoakSample } from '../../../dev/soak/soak-report.js';
import { sampleProcess } from '../../../dev/soak/process-sample.js';

const MB = 1024 * 1024;
const limits = { maxRssGrowthPercent: 10, maxFdGrowth: 20 };

function series(
  rssMb: (i: number) => number,
  opts: { fds?: (i: number) => number; pid?: (i: number) => number } = {},
) {
  return Array.from({ length: 20 }, (_, i): SoakSample => ({
    atMs: i * 10_000,
    processes: { api: { pid: opts.pid?.(i) ?? 100, rssBytes: rssMb(i) * MB, fds: opts.fds?.(i) ?? 30 } },
    storageBytes: (10 + i) * MB,
  }));
}

describe('soak report', () => {
  it('does not judge the warm-up, and passes a process that levels off', () => {
    // Climbs during the first minute (warm-up), then flat.
    const report = soakReport(
      series((i) => (i < 6 ? 50 + i * 10 : 110)),
      60_000,
      limits,
    );
    assert.deepEqual(report.breaches, []);
    assert.equal(report.processes[0]!.rssGrowthPercent, 0);
  });

  it('flags RSS that keeps growing by 10 % or more after warm-up', () => {
    const report = soakReport(
      series((i) => 100 + i * 2),
      60_000,
      limits,
    );
    assert.ok(report.processes[0]!.rssGrowthPercent >= 10);
    assert.match(report.breaches.join(), /api: RSS grew/);
  });

  it('says how much of the growth came in the last half: none for a cache that filled early, most for a leak', () => {
    // Samples 6..19 are judged; a cache fills until sample 12, a leak grows steadily.
    const filled = soakReport(
      series((i) => (i < 12 ? 100 + i * 5 : 160)),
      60_000,
      limits,
    ).processes[0]!;
    assert.ok(filled.rssGrowthPercent >= 10, `whole growth ${filled.rssGrowthPercent}`);
    assert.equal(filled.rssLastHalfGrowthPercent, 0);
    const leak = soakReport(
      series((i) => 100 + i * 4),
      60_000,
      limits,
    ).processes[0]!;
    assert.ok(leak.rssLastHalfGrowthPercent >= 10, `last half ${leak.rssLastHalfGrowthPercent}`);
  });

  it('flags growing descriptors and restarts', () => {
    const report = soakReport(
      series(() => 100, { fds: (i) => 30 + i * 5, pid: (i) => (i < 15 ? 100 : 200) }),
      60_000,
      limits,
    );
    assert.match(report.breaches.join(), /open descriptors/);
    assert.match(report.breaches.join(), /restarted 1/);
  });

  it('measures storage growth per hour', () => {
    const report = soakReport(
      series(() => 100),
      60_000,
      limits,
    );
    // 1 MB per 10 s sample = 360 MB/h.
    assert.equal(report.storage.mbPerHour, 360);
  });

  it('reads RSS and descriptors of a live process from /proc', () => {
    const own = sampleProcess(process.pid);
    assert.ok(own && own.rssBytes > 10 * MB && own.fds > 3, JSON.stringify(own));
  });
});
