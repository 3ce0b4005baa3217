import { readFileSync } from 'node:fs';

/**
 * True while a process with this PID exists and is not a zombie. Signal 0 alone also answers
 * true for a process that has exited but not been reaped (state `Z` in /proc), which would make
 * a stopped replica look alive.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state …"; comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false; // gone between the two checks
  }
}
