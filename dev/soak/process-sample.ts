import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';

export interface ProcessSample {
  pid: number;
  rssBytes: number;
  /** Open file descriptors: sockets, files, pipes. */
  fds: number;
  /** How many processes the row sums (a process group: PostgreSQL's backends, nginx's workers). */
  processes?: number;
  /** With `pss`: shared memory (PostgreSQL's shared buffers), left out of `rssBytes`. */
  sharedBytes?: number;
}

/**
 * RSS and open descriptors of one process from Linux /proc; undefined if it is gone. With
 * `pss`, the proportional set size instead of RSS: shared pages counted once across the
 * processes that share them, so a group's rows can be summed; shared memory segments (a
 * database's buffer cache, bounded by its setting, filling as it is used) apart, in `sharedBytes`.
 */
export function sampleProcess(pid: number, memory: 'rss' | 'pss' = 'rss'): ProcessSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN);
    if (!Number.isFinite(rssKb)) return undefined;
    const fds = readdirSync(`/proc/${pid}/fd`).length;
    const pss = memory === 'pss' ? pssKb(pid) : undefined;
    if (!pss) return { pid, rssBytes: rssKb * 1024, fds };
    return { pid, rssBytes: (pss.total - pss.shmem) * 1024, fds, sharedBytes: pss.shmem * 1024 };
  } catch {
    return undefined;
  }
}

function pssKb(pid: number): { total: number; shmem: number } | undefined {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(rollup)?.[1] ?? NaN);
    const total = field('Pss');
    if (!Number.isFinite(total)) return undefined;
    const shmem = field('Pss_Shmem');
    return { total, shmem: Number.isFinite(shmem) ? shmem : 0 };
  } catch {
    return undefined;
  }
}

/** Bytes on disk of a SQLite database with its WAL and shared-memory files. */
export function sqliteBytes(file: string): number {
  return ['', '-wal', '-shm']
    .map((suffix) => file + suffix)
    .filter((f) => existsSync(f))
    .reduce((sum, f) => sum + statSync(f).size, 0);
}
