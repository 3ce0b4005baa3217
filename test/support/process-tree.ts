import { execFileSync } from 'node:child_process';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  args: string;
}

/** Every live process now (zombies left out: they have exited and only wait to be reaped). */
function processTable(): ProcessInfo[] {
  return execFileSync('ps', ['-eo', 'pid=,ppid=,pgid=,stat=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && !m[4]!.startsWith('Z'))
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), pgid: Number(m[3]), args: m[5]! }));
}

/**
 * A process and everything it started: its descendants (children of children, whatever their
 * process group) and any other member of its process group (a child that was reparented).
 */
export function processTree(rootPid: number): ProcessInfo[] {
  const table = processTable();
  const inTree = new Set([rootPid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of table) {
      if (!inTree.has(p.pid) && (inTree.has(p.ppid) || p.pgid === rootPid)) {
        inTree.add(p.pid);
        grew = true;
      }
    }
  }
  return table.filter((p) => inTree.has(p.pid));
}
