import { readFileSync } from 'node:fs';

/** A process's niceness: field 19 of /proc/<pid>/stat (read after the command, which may hold spaces). */
export function nicenessOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}
