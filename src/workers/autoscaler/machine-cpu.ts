import { readFileSync } from 'node:fs';

/** The machine's busy share of CPU since the previous call (0…1), or undefined where /proc is not there. */
export type MachineCpuSampler = () => number | undefined;

/**
 * Reads the kernel's whole-machine CPU counters (/proc/stat, first line) and gives the busy
 * share between calls. Every process counts, whoever runs it: on one machine the Temporal
 * server, PostgreSQL and the API compete with the video workers for the same cores.
 */
export function machineCpuSampler(
  readStat: () => string = () => readFileSync('/proc/stat', 'utf8'),
): MachineCpuSampler {
  let previous = read(readStat);
  return () => {
    const now = read(readStat);
    if (!now || !previous) {
      previous = now;
      return undefined;
    }
    const total = now.total - previous.total;
    const busy = now.busy - previous.busy;
    previous = now;
    return total > 0 ? Math.min(1, Math.max(0, busy / total)) : undefined;
  };
}

function read(readStat: () => string): { total: number; busy: number } | undefined {
  try {
    const fields = readStat().split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    if (fields.length < 5 || fields.some((n) => !Number.isFinite(n))) return undefined;
    const total = fields.reduce((a, b) => a + b, 0);
    // idle and iowait: a core waiting on the disk is not a core the workers could have used.
    return { total, busy: total - fields[3]! - fields[4]! };
  } catch {
    return undefined;
  }
}
