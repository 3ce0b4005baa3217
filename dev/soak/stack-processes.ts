import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readProcessTable } from '../../bench/machine-load.js';
import { processGroup, sumGroup } from './process-group.js';
import { sampleProcess, type ProcessSample } from './process-sample.js';

/** Services whose PID file names the parent of a group of processes: judged as one summed row. */
const GROUPED = new Set(['postgres', 'nginx']);

/** Every service with a PID file in the stack's run folder (DATA_DIR/run/<service>.pid). */
export function readPidFiles(runDir: string): Record<string, number> {
  const pids: Record<string, number> = {};
  let files: string[];
  try {
    files = readdirSync(runDir);
  } catch {
    return pids;
  }
  for (const file of files.filter((f) => f.endsWith('.pid')).sort()) {
    try {
      // The supervisor removes a pid file when its process dies: it may vanish before the read.
      const pid = Number(readFileSync(join(runDir, file), 'utf8').trim());
      if (pid > 0) pids[file.slice(0, -'.pid'.length)] = pid;
    } catch {
      // gone between the listing and the read
    }
  }
  return pids;
}

/**
 * One sample of every process a stack's PID files name. PostgreSQL (its backends run as another
 * user but are the postmaster's children) and nginx are summed over their process trees, in
 * proportional memory (PSS) so the shared buffers every backend maps count once.
 */
export function sampleStackProcesses(runDir: string): Record<string, ProcessSample | undefined> {
  const pids = readPidFiles(runDir);
  const table = Object.keys(pids).some((s) => GROUPED.has(s)) ? readProcessTable() : new Map();
  const out: Record<string, ProcessSample | undefined> = {};
  for (const [service, pid] of Object.entries(pids)) {
    out[service] = GROUPED.has(service)
      ? sumGroup(
          pid,
          processGroup(table, pid).map((p) => sampleProcess(p, 'pss')),
        )
      : sampleProcess(pid);
  }
  return out;
}
