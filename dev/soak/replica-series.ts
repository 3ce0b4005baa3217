/** The video lane's autoscaled replicas (`worker-video-<n>`): the autoscaler starts and stops them. */
export function isReplica(service: string): boolean {
  return /^worker-video-\d+$/.test(service);
}

/**
 * How one service's PID changed across samples (undefined: no process then). A new PID is a
 * restart, except for an autoscaled replica that was gone for a sample or more in between:
 * that is the autoscaler stopping it and later starting a replica of that number again.
 */
export function pidChanges(
  pids: ReadonlyArray<number | undefined>,
  replica: boolean,
): { restarts: number; returns: number } {
  if (!replica)
    return { restarts: Math.max(0, new Set(pids.filter((p) => p !== undefined)).size - 1), returns: 0 };
  let restarts = 0;
  let returns = 0;
  let last: number | undefined;
  let gap = false;
  for (const pid of pids) {
    if (pid === undefined) {
      gap = last !== undefined;
      continue;
    }
    if (last !== undefined && pid !== last) {
      if (gap) returns += 1;
      else restarts += 1;
    }
    last = pid;
    gap = false;
  }
  return { restarts, returns };
}

/** Replicas running at each sample, and how often that number changed. */
export function replicaCounts(samples: ReadonlyArray<{ processes: Record<string, unknown> }>): {
  counts: number[];
  changes: number;
} {
  const counts = samples.map(
    (s) => Object.entries(s.processes).filter(([name, p]) => isReplica(name) && p !== undefined).length,
  );
  const changes = counts.filter((c, i) => i > 0 && c !== counts[i - 1]).length;
  return { counts, changes };
}

/** Crashes the stack's supervisors printed (`!!! <service> exited unexpectedly`), by service. */
export function crashesIn(output: string): Record<string, number> {
  const crashes: Record<string, number> = {};
  for (const m of output.matchAll(/!!! (\S+) exited unexpectedly/g))
    crashes[m[1]!] = (crashes[m[1]!] ?? 0) + 1;
  return crashes;
}
