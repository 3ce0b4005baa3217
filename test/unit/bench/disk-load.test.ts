import assert from 'node:assert/strict';
import { diskUseBetween, parseDiskstats, parseIoPressure } from '../../../bench/disk-load.js';

// Lines as Linux 5.10+ prints them: a whole disk, its partition, and a loop device.
const diskstats = (writes: number, sectors: number, writeMs: number, flushes: number, flushMs: number) =>
  [
    ` 254       0 vda 100 0 800 50 ${writes} 9 ${sectors} ${writeMs} 0 10 20 0 0 0 0 ${flushes} ${flushMs}`,
    ` 254       1 vda1 100 0 800 50 ${writes} 9 ${sectors} ${writeMs} 0 10 20 0 0 0 0 ${flushes} ${flushMs}`,
    `   7       0 loop0 5 0 10 1 999 0 99999 999 0 1 1 0 0 0 0 999 999`,
  ].join('\n');
const disks = new Set(['vda']);

describe('bench: disk load over a window', () => {
  it('reads writes, bytes and flush times of the whole disks only, and gives rates over the window', () => {
    const before = parseDiskstats(diskstats(1_000, 20_000, 500, 100, 10), disks, 0);
    const after = parseDiskstats(diskstats(3_000, 20_000 + 195_313, 1_300, 500, 2_010), disks, 2_000);
    before.ioStalledUs = 1_000_000;
    after.ioStalledUs = 1_300_000; // 0.3 s of the 2 s window
    assert.deepEqual(diskUseBetween(before, after), {
      writtenMBPerSecond: 50,
      writesPerSecond: 1_000,
      msPerWrite: 0.4,
      flushesPerSecond: 200,
      msPerFlush: 5,
      ioStalledPct: 15,
    });
  });

  it('reads the "some" total of the I/O pressure file, and gives no share where the kernel has none', () => {
    const psi =
      'some avg10=2.17 avg60=2.69 avg300=3.51 total=1037022328\nfull avg10=1.91 avg60=2.43 avg300=3.19 total=457457564\n';
    assert.equal(parseIoPressure(psi), 1_037_022_328);
    const counters = parseDiskstats(diskstats(1, 1, 1, 1, 1), disks, 0);
    const later = { ...parseDiskstats(diskstats(1, 1, 1, 1, 1), disks, 1_000), ioStalledUs: 5 };
    const use = diskUseBetween(counters, later);
    assert.equal(use?.ioStalledPct, undefined);
    assert.equal(use?.msPerFlush, 0, 'no flush in the window: no time per flush');
  });
});
