import { setPriority } from 'node:os';
import { childPids, processTitle } from '../stack/process-table.js';

/**
 * PostgreSQL serves each connection from a backend process of its own, whose process title
 * names its user and database ("postgres: temporal temporal 127.0.0.1(41234) idle"). On one
 * machine, the backends of the video lane's server get that server's niceness, so when the CPU
 * is short the urgent server's queries (to databases of its own) are served first. Temporal
 * pools its connections: a sweep every few seconds finds the few new backends.
 */
export interface BackendNice {
  /** The postmaster's pid now (it changes when the supervisor restarts PostgreSQL). */
  postmasterPid: () => number | undefined;
  databases: string[];
  nice: number;
  everyMs?: number;
  /** Told once if a backend's niceness cannot be set. */
  warn: (line: string) => void;
}

export function niceBackends(opts: BackendNice): { stop(): void } {
  let warned = false;
  const sweep = () => {
    const postmaster = opts.postmasterPid();
    if (!postmaster) return;
    for (const pid of childPids(postmaster)) {
      if (!opts.databases.includes(backendDatabase(pid) ?? '')) continue;
      // Set again on every sweep: cheap (a few dozen backends), and never stale on a reused pid.
      try {
        setPriority(pid, opts.nice);
      } catch (err) {
        if ((err as { info?: { code?: string } }).info?.code === 'ESRCH') continue; // it just ended
        if (!warned) opts.warn(`could not set niceness ${opts.nice} on a PostgreSQL backend: ${String(err)}`);
        warned = true;
      }
    }
  };
  const timer = setInterval(sweep, opts.everyMs ?? 3_000);
  timer.unref();
  sweep();
  return { stop: () => clearInterval(timer) };
}

/** The database a backend serves, from its process title; undefined for any other process. */
export function databaseOfTitle(title: string): string | undefined {
  // user, database, then the client: host(port), or [local] for a Unix socket.
  return /^postgres: \S+ (\S+) (?:\S+\(\d+\)|\[local\])/.exec(title)?.[1];
}

function backendDatabase(pid: number): string | undefined {
  const title = processTitle(pid);
  return title ? databaseOfTitle(title) : undefined;
}
