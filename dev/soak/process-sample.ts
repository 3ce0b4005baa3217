import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';

export interface ProcessSample {
  pid: number;
  rssBytes: number;
  /** Open file descriptors: sockets, files, pipes. */
  fds: number;
}

/** RSS and open descriptors of one process from Linux /proc; undefined if it is gone. */
export function sampleProcess(pid: number): ProcessSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN);
    if (!Number.isFinite(kb)) return undefined;
    return { pid, rssBytes: kb * 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
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
