import { readFileSync } from 'node:fs';

/** Linux's /proc, read for processes the stack started; a process that has gone reads as nothing. */

/** A process's children now. */
export function childPids(pid: number): number[] {
  const list = readProc(`/proc/${pid}/task/${pid}/children`) ?? '';
  return list.split(' ').filter(Boolean).map(Number);
}

/** A process's title as `ps` shows it (its argv, NULs as spaces). */
export function processTitle(pid: number): string | undefined {
  return readProc(`/proc/${pid}/cmdline`)?.replace(/\0/g, ' ').trim();
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // gone, or not Linux
  }
}
