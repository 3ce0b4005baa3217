import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';

export interface ProcessSample {
  pid: number;
  rssBytes: number;
  /** Open file descriptors: sockets, files, pipes. */
  fds: number;
  /** How many processes the row sums (a process group: PostgreSQL's backends, nginx's workers). */
  processes?: number;
}

/**
 * RSS and open descriptors of one process from Linux /proc; undefined if it is gone. With
 * `pss`, the proportional set size instead of RSS: shared pages counted once across the
 * processes that share them, so a group's rows can be summed.
 */
export function sampleProcess(pid: number, memory: 'rss' | 'pss' = 'rss'): ProcessSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN);
    if (!Number.isFinite(rssKb)) return undefined;
    const kb = memory === 'pss' ? (pssKb(pid) ?? rssKb) : rssKb;
    return { pid, rssBytes: kb * 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return undefined;
  }
}

function pssKb(pid: number): number | undefined {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = Number(/^Pss:\s+(\d+)\s+kB/m.exec(rollup)?.[1] ?? NaN);
    return Number.isFinite(kb) ? kb : undefined;
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
