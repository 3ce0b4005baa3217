import type { ProcessSample } from './process-sample.js';

/** `rootPid` and every process below it, from a pid → parent table (/proc's, or a test's). */
export function processGroup(table: ReadonlyMap<number, { parent: number }>, rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, { parent }] of table) children.set(parent, [...(children.get(parent) ?? []), pid]);
  const group: number[] = [];
  // Bounded by the table: each pid is visited at most once.
  const queue = table.has(rootPid) ? [rootPid] : [];
  const seen = new Set<number>();
  while (queue.length) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    group.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return group;
}

/**
 * One row for a process group (PostgreSQL's postmaster and its backends, nginx's master and
 * workers), under the root's PID so a restart of the root still shows as one: memory (private
 * and shared apart) and descriptors summed, and how many processes it had. Undefined when the
 * root is gone.
 */
export function sumGroup(
  rootPid: number,
  members: ReadonlyArray<ProcessSample | undefined>,
): ProcessSample | undefined {
  const alive = members.filter((m) => m !== undefined);
  if (!alive.some((m) => m.pid === rootPid)) return undefined;
  return {
    pid: rootPid,
    rssBytes: alive.reduce((sum, m) => sum + m.rssBytes, 0),
    fds: alive.reduce((sum, m) => sum + m.fds, 0),
    processes: alive.length,
    ...(alive.some((m) => m.sharedBytes !== undefined) && {
      sharedBytes: alive.reduce((sum, m) => sum + (m.sharedBytes ?? 0), 0),
    }),
  };
}
