import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StartupError } from '../startup-error.js';

export interface TemporalBinaries {
  /** The Temporal CLI, used for `temporal server start-dev`. */
  cli: string;
  /** The native time-skipping test server. */
  testServer: string;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Paths written by scripts/ensure-temporal.mjs, which `npm start` and `npm test` run first. */
export function temporalBinaries(): TemporalBinaries {
  const pathsFile = join(
    process.env.FLOODGATE_TEMPORAL_CACHE ?? join(repoRoot, '.cache', 'temporal'),
    'paths.json',
  );
  if (!existsSync(pathsFile)) {
    throw new StartupError(`Temporal binaries not found (${pathsFile}); run: npm run temporal:ensure`);
  }
  return JSON.parse(readFileSync(pathsFile, 'utf8')) as TemporalBinaries;
}
