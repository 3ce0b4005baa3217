import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Processes (not zombies) of a stack run on `dataDir`: those whose command line names it, a
 * folder of the code (`alsoUnder`), or PostgreSQL's folder outside DATA_DIR, when a root stack
 * keeps its database there (DATA_DIR/cluster/postgres-home).
 */
export function stackProcesses(dataDir: string, alsoUnder: string[] = []): string[] {
  const pointer = join(dataDir, 'cluster', 'postgres-home');
  const marks = [dataDir, ...alsoUnder];
  if (existsSync(pointer)) marks.push(readFileSync(pointer, 'utf8').trim());
  return execFileSync('ps', ['-eo', 'stat=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => marks.some((m) => m && l.includes(m)) && !l.trim().startsWith('Z'));
}
