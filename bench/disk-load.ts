import { readdirSync, readFileSync } from 'node:fs';

/**
 * The machine's disks over a measurement window (Linux /proc; elsewhere undefined). Beside a
 * latency table it says whether a slow run wrote more, or met a slower disk for the same
 * writes: the dev server syncs every commit, so its acks wait on the device's flushes.
 */
export interface DiskUse {
  writtenMBPerSecond: number;
  writesPerSecond: number;
  /** Mean time the device took per completed write, ms. */
  msPerWrite: number;
  flushesPerSecond: number;
  /** Mean time per completed cache flush (what an fsync waits on), ms. */
  msPerFlush: number;
  /** Share of the window in which some task was stalled on I/O (pressure stall information), %. */
  ioStalledPct?: number;
}

/** Summed over the whole disks (not partitions, loop or RAM devices). */
export interface DiskCounters {
  atMs: number;
  writes: number;
  sectorsWritten: number;
  writeMs: number;
  flushes: number;
  flushMs: number;
  /** /proc/pressure/io "some" total, µs. */
  ioStalledUs?: number;
}

export function startDiskWindow(): () => DiskUse | undefined {
  const before = readDiskCounters();
  return () => {
    const after = readDiskCounters();
    return before && after ? diskUseBetween(before, after) : undefined;
  };
}

export function diskUseBetween(before: DiskCounters, after: DiskCounters): DiskUse | undefined {
  const seconds = (after.atMs - before.atMs) / 1000;
  if (seconds <= 0) return undefined;
  const writes = after.writes - before.writes;
  const flushes = after.flushes - before.flushes;
  const round = (n: number, digits = 1) => Number(n.toFixed(digits));
  return {
    writtenMBPerSecond: round(((after.sectorsWritten - before.sectorsWritten) * 512) / 1e6 / seconds),
    writesPerSecond: Math.round(writes / seconds),
    msPerWrite: writes > 0 ? round((after.writeMs - before.writeMs) / writes, 2) : 0,
    flushesPerSecond: Math.round(flushes / seconds),
    msPerFlush: flushes > 0 ? round((after.flushMs - before.flushMs) / flushes, 2) : 0,
    ...(before.ioStalledUs !== undefined &&
      after.ioStalledUs !== undefined && {
        ioStalledPct: round((after.ioStalledUs - before.ioStalledUs) / 10_000 / seconds),
      }),
  };
}

/**
 * Adds up /proc/diskstats lines for the named devices. Columns (after major, minor, name):
 * reads, reads merged, sectors read, ms reading, writes, writes merged, sectors written,
 * ms writing, in flight, ms doing I/O, weighted ms, then discards (4 columns), then
 * flushes and ms flushing (kernels from 5.5 on; older ones count no flushes).
 */
export function parseDiskstats(text: string, devices: ReadonlySet<string>, atMs: number): DiskCounters {
  const sum: DiskCounters = { atMs, writes: 0, sectorsWritten: 0, writeMs: 0, flushes: 0, flushMs: 0 };
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (!devices.has(f[2] ?? '')) continue;
    const n = (column: number) => Number(f[column] ?? 0);
    sum.writes += n(7);
    sum.sectorsWritten += n(9);
    sum.writeMs += n(10);
    sum.flushes += n(18);
    sum.flushMs += n(19);
  }
  return sum;
}

/** The "some" line's total from /proc/pressure/io, µs. */
export function parseIoPressure(text: string): number | undefined {
  const total = /^some .*\btotal=(\d+)/m.exec(text)?.[1];
  return total === undefined ? undefined : Number(total);
}

function readDiskCounters(): DiskCounters | undefined {
  try {
    const disks = new Set(readdirSync('/sys/block').filter((name) => !/^(loop|ram|zram)/.test(name)));
    const counters = parseDiskstats(readFileSync('/proc/diskstats', 'utf8'), disks, Date.now());
    try {
      counters.ioStalledUs = parseIoPressure(readFileSync('/proc/pressure/io', 'utf8'));
    } catch {
      // a kernel without pressure stall information
    }
    return counters;
  } catch {
    return undefined;
  }
}
