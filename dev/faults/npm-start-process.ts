import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { objectStoreLayout, storedVideosDir, usesOwnObjectStore } from '../../src/cluster/object-store.js';
import { loadConfig } from '../../src/config.js';
import { launchStack, type StackProfileName } from '../../test/support/stack-launcher.js';

/** Which script a user runs: `npm start` (dev server) or `npm run start:cluster` (PostgreSQL, Temporal server, Web UI server). */
export type StackProfile = StackProfileName;

export interface NpmStartStack {
  dataDir: string;
  /** The settings the stack runs with over this process's environment. */
  env: Record<string, string>;
  /** Where the stored videos are files: DATA_DIR/videos, or the cluster's own bucket folder. */
  storageDir: string;
  /** The cluster's own object store's health URL (undefined when S3_ENDPOINT names another store). */
  objectStoreHealthUrl?: string;
  apiUrl: string;
  providerUrl: string;
  temporalAddress: string;
  uiUrl: string;
  profile: StackProfile;
  /** Everything the stack printed so far (supervisor lines and every service's output). */
  output(): string;
  /** The PID the supervisor wrote for a service (DATA_DIR/run/<name>.pid), if it runs. */
  pid(name: string): number | undefined;
  /** Mail files in the SMTP sink's folder whose text contains `needle`. */
  mailsContaining(needle: string): number;
  /** Ctrl-C, then SIGKILL to the whole group if anything is left; removes DATA_DIR. */
  stop(): Promise<void>;
}

/**
 * `npm start` (or `npm run start:cluster`) as a user runs it, through the one stack launcher,
 * with what a fault needs to look inside: service PIDs, mails, stored videos.
 */
export async function startNpmStack(
  env: Record<string, string> = {},
  timeoutMs = 180_000,
  profile: StackProfile = 'dev-server',
): Promise<NpmStartStack> {
  const stack = await launchStack({
    profile,
    env,
    upWithinMs: timeoutMs,
    dataDirPrefix: `floodgate-${profile === 'cluster' ? 'cluster' : 'npm-start'}-`,
  });
  const { dataDir } = stack;
  // start:cluster puts videos in its own bucket unless the settings say otherwise.
  let storageDir: string;
  let objectStoreHealthUrl: string | undefined;
  try {
    const config = loadConfig({
      ...(profile === 'cluster' && { STORAGE_BACKEND: 's3' }),
      ...process.env,
      ...stack.env,
    });
    storageDir = storedVideosDir(config);
    objectStoreHealthUrl =
      profile === 'cluster' && usesOwnObjectStore(config) ? objectStoreLayout(config).healthUrl : undefined;
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return {
    dataDir,
    env: stack.env,
    storageDir,
    objectStoreHealthUrl,
    apiUrl: stack.apiUrl,
    providerUrl: stack.providerUrl,
    temporalAddress: stack.temporalAddress,
    uiUrl: stack.uiUrl,
    profile,
    output: stack.output,
    pid: (name) => {
      // The supervisor removes a pid file when its process dies, so it can vanish between any
      // check and the read: a missing file means "not running now".
      try {
        return Number(readFileSync(join(dataDir, 'run', `${name}.pid`), 'utf8').trim()) || undefined;
      } catch {
        return undefined;
      }
    },
    mailsContaining: (needle) => {
      if (!existsSync(stack.mailDir)) return 0;
      return readdirSync(stack.mailDir)
        .filter((f) => f.endsWith('.eml'))
        .filter((f) => readFileSync(join(stack.mailDir, f), 'utf8').includes(needle)).length;
    },
    stop: stack.stop,
  };
}
