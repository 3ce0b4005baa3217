import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** CPU use over a measurement window, in % of one core (200 = two cores busy). */
export interface CpuUse {
  cores: number;
  /** Everything on the machine. */
  machine: number;
  /** The bench process and every process it started (servers, workers, storm). */
  bench: number;
  /** The rest: whatever else ran on the machine meanwhile, which the figures cannot separate out. */
  other: number;
}

/**
 * Starts a window over the machine's CPU counters (Linux /proc; elsewhere the result is
 * undefined). Figures beside a latency table say whether the machine was the bench's alone.
 */
export function startCpuWindow(rootPid = process.pid): () => CpuUse | undefined {
  const before = read(rootPid);
  return () => {
    const after = read(rootPid);
    if (!before || !after) return undefined;
    const coreTicks = (after.total - before.total) / after.cores;
    if (coreTicks <= 0) return undefined;
    let benchTicks = 0;
    for (const [pid, ticks] of after.tree) benchTicks += ticks - (before.tree.get(pid) ?? 0);
    const pct = (ticks: number) => Math.round((ticks / coreTicks) * 100);
    const machine = pct(after.busy - before.busy);
    const bench = Math.min(machine, pct(benchTicks));
    return { cores: after.cores, machine, bench, other: machine - bench };
  };
}

interface Counters {
  cores: number;
  total: number;
  busy: number;
  /** CPU ticks of each process in the tree, its reaped children included. */
  tree: Map<number, number>;
}

function read(rootPid: number): Counters | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { cores: cpus().length, total, busy: total - idle, tree: processTree(rootPid) };
  } catch {
    return undefined;
  }
}

/** One process as /proc shows it: its parent and its CPU ticks, its reaped children's included. */
export interface ProcessEntry {
  parent: number;
  ticks: number;
}

/** Every process on the machine, read once from /proc. */
export function readProcessTable(): Map<number, ProcessEntry> {
  const table = new Map<number, ProcessEntry>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the command name, which may itself contain spaces and parentheses.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime, cutime, cstime
      const ticks = Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]);
      table.set(Number(name), { parent: Number(rest[1]), ticks });
    } catch {
      // the process ended while being read
    }
  }
  return table;
}

/** Whether `pid` descends from `rootPid` (or is it). */
export function descendsFrom(table: Map<number, ProcessEntry>, pid: number, rootPid: number): boolean {
  for (let p: number | undefined = pid, hops = 0; p && hops < 64; p = table.get(p)?.parent, hops++) {
    if (p === rootPid) return true;
  }
  return false;
}

function processTree(rootPid: number): Map<number, number> {
  const table = readProcessTable();
  const tree = new Map<number, number>();
  for (const [pid, entry] of table) if (descendsFrom(table, pid, rootPid)) tree.set(pid, entry.ticks);
  return tree;
}
