import { readFileSync } from 'node:fs';
import { descendsFrom, readProcessTable, type ProcessEntry } from './machine-load.js';

/** What a process is to the stack, told from its command line. */
export const PROCESS_ROLES = [
  'temporal',
  'postgres',
  'api',
  'worker-urgent',
  'worker-video',
  'autoscaler',
  'temporal-ui',
  'provider-sim',
  'smtp-sink',
  'bench',
] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

/** The product's own processes: what a deployment runs (the bench, provider and sink stand in for the outside world). */
export const PRODUCT_ROLES: readonly ProcessRole[] = [
  'temporal',
  'postgres',
  'api',
  'worker-urgent',
  'worker-video',
  'autoscaler',
];

const PATTERNS: [RegExp, ProcessRole][] = [
  [/^postgres[: ]|\/postgres(\s|$)/, 'postgres'],
  [/temporal-ui-server|\/ui-server\b/, 'temporal-ui'],
  [/temporal-server-[^/\s]*\/server\s|\bserver start-dev\b/, 'temporal'],
  [/src\/api\/server\.ts/, 'api'],
  [/src\/workers\/urgent\.ts/, 'worker-urgent'],
  [/src\/workers\/video\.ts/, 'worker-video'],
  [/src\/workers\/autoscaler\/main\.ts/, 'autoscaler'],
  [/dev\/provider\/main\.ts/, 'provider-sim'],
  [/dev\/smtp-sink\/main\.ts/, 'smtp-sink'],
];

/** Linux's clock tick for /proc times; fixed at 100 on every mainstream kernel build. */
const TICKS_PER_SECOND = 100;

export type CpuSecondsByRole = Record<ProcessRole, number>;

/**
 * Starts a window over the CPU time of every process under `rootPid` (the bench: the stack it
 * started, PostgreSQL's backends included, which run as another user but are the postmaster's
 * children). A process without a role of its own (tsx's esbuild service) counts for the nearest
 * ancestor that has one; the bench's own process is `bench`. A process that ended inside the
 * window counts through its parent's reaped-children time.
 */
export function startProcessCpuWindow(rootPid = process.pid): () => CpuSecondsByRole {
  const before = readRoles(rootPid);
  return () => {
    const after = readRoles(rootPid);
    const seconds = Object.fromEntries(PROCESS_ROLES.map((r) => [r, 0])) as CpuSecondsByRole;
    for (const [pid, { role, ticks }] of after) {
      seconds[role] += (ticks - (before.get(pid)?.ticks ?? 0)) / TICKS_PER_SECOND;
    }
    return seconds;
  };
}

function readRoles(rootPid: number): Map<number, { role: ProcessRole; ticks: number }> {
  const table = readProcessTable();
  const own = new Map<number, ProcessRole | undefined>();
  for (const pid of table.keys()) own.set(pid, roleOf(pid));
  const roles = new Map<number, { role: ProcessRole; ticks: number }>();
  for (const [pid, entry] of table) {
    if (!descendsFrom(table, pid, rootPid)) continue;
    roles.set(pid, { role: nearestRole(table, own, pid, rootPid), ticks: entry.ticks });
  }
  return roles;
}

function nearestRole(
  table: Map<number, ProcessEntry>,
  own: Map<number, ProcessRole | undefined>,
  pid: number,
  rootPid: number,
): ProcessRole {
  for (
    let p: number | undefined = pid, hops = 0;
    p && p !== rootPid && hops < 64;
    p = table.get(p)?.parent, hops++
  ) {
    const role = own.get(p);
    if (role) return role;
  }
  return 'bench';
}

/** The role in a process's command line, if it names one. */
export function roleOf(
  pid: number,
  readCmdline = (p: number) => readFileSync(`/proc/${p}/cmdline`, 'utf8'),
): ProcessRole | undefined {
  let cmdline: string;
  try {
    cmdline = readCmdline(pid).replace(/\0/g, ' ').trim();
  } catch {
    return undefined;
  }
  return PATTERNS.find(([pattern]) => pattern.test(cmdline))?.[1];
}
