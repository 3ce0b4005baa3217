import { readFileSync } from 'node:fs';

/** A process's niceness: field 19 of /proc/<pid>/stat (read after the command, which may hold spaces). */
export function nicenessOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

/** A process's children now (Linux's /proc/<pid>/task/<pid>/children). */
export function childPids(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
}

/** A process's title as `ps` shows it (its argv, NULs as spaces). */
export function titleOf(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
}
