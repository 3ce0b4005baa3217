import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, freePortRange } from '../../test/support/free-port.js';
import { removePostgresHome } from '../../src/cluster/postgres-home.js';
import { objectStoreLayout, storedVideosDir, usesOwnObjectStore } from '../../src/cluster/object-store.js';
import { loadConfig } from '../../src/config.js';

/** Which script a user runs: `npm start` (dev server) or `npm run start:cluster` (PostgreSQL, Temporal server, Web UI server). */
export type StackProfile = 'dev-server' | 'cluster';

const ENTRY: Record<StackProfile, string> = {
  'dev-server': 'src/stack/start.ts',
  cluster: 'src/stack/start-cluster.ts',
};

export interface NpmStartStack {
  dataDir: string;
  /** Where the stored videos are files: DATA_DIR/videos, or the cluster's own bucket folder. */
  storageDir: string;
  apiUrl: string;
  providerUrl: string;
  temporalAddress: string;
  uiUrl: string;
  /** The health URL of the cluster's own object store (versitygw), when it runs one. */
  objectStoreHealthUrl?: string;
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

const root = new URL('../../', import.meta.url).pathname;

/** Free ports for one stack; the cluster's Temporal server takes ten in a row below 32768, frontend last. */
async function stackPorts(profile: StackProfile): Promise<Record<string, string>> {
  const [api, temporal, ui, smtp, provider, postgres] = await Promise.all(
    [1, 2, 3, 4, 5, 6].map(() => freePort()),
  );
  const ports: Record<string, string> = {
    PORT: String(api),
    TEMPORAL_PORT: String(temporal),
    TEMPORAL_UI_PORT: String(ui),
    SMTP_SINK_PORT: String(smtp),
    PROVIDER_SIM_PORT: String(provider),
  };
  if (profile === 'cluster') {
    const base = await freePortRange(10);
    Object.assign(ports, {
      TEMPORAL_PORT: String(base + 9),
      CLUSTER_PORT_BASE: String(base),
      CLUSTER_POSTGRES_PORT: String(postgres),
      CLUSTER_OBJECT_STORE_PORT: String(await freePort()),
      // The autoscaler's default port may be another stack's on a shared machine.
      AUTOSCALE_METRICS_PORT: String(await freePort()),
    });
  }
  return ports;
}

/**
 * `npm start` (or `npm run start:cluster`) as a user runs it, under Node and tsx, in its own
 * process group so nothing outlives a failed test, on free ports and a temporary DATA_DIR.
 * Resolves once the banner's last line is printed.
 */
export async function startNpmStack(
  env: Record<string, string> = {},
  timeoutMs = 180_000,
  profile: StackProfile = 'dev-server',
): Promise<NpmStartStack> {
  const dataDir = mkdtempSync(
    join(tmpdir(), `floodgate-${profile === 'cluster' ? 'cluster' : 'npm-start'}-`),
  );
  const ports = await stackPorts(profile);
  const stackEnv = { TEMPORAL_ADDRESS: '', DATA_DIR: dataDir, ...ports, LOG_LEVEL: 'warn', ...env };
  // start:cluster puts videos in its own bucket unless the settings say otherwise.
  const config = loadConfig({
    ...(profile === 'cluster' && { STORAGE_BACKEND: 's3' }),
    ...process.env,
    ...stackEnv,
  });
  const storageDir = storedVideosDir(config);
  const objectStoreHealthUrl =
    profile === 'cluster' && usesOwnObjectStore(config) ? objectStoreLayout(config).healthUrl : undefined;
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(root, ENTRY[profile])], {
    cwd: root,
    env: { ...process.env, ...stackEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    }
    killGroup();
    removePostgresHome(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`stack not up within ${timeoutMs} ms:\n${output}`)),
        timeoutMs,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ctrl-C stops everything.')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`stack exited (${code}) before it was up:\n${output}`));
      });
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    dataDir,
    storageDir,
    apiUrl: `http://127.0.0.1:${ports.PORT}`,
    providerUrl: `http://127.0.0.1:${ports.PROVIDER_SIM_PORT}`,
    temporalAddress: `127.0.0.1:${ports.TEMPORAL_PORT}`,
    uiUrl: `http://127.0.0.1:${ports.TEMPORAL_UI_PORT}`,
    objectStoreHealthUrl,
    profile,
    output: () => output,
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
      const dir = join(dataDir, 'mail');
      if (!existsSync(dir)) return 0;
      return readdirSync(dir)
        .filter((f) => f.endsWith('.eml'))
        .filter((f) => readFileSync(join(dir, f), 'utf8').includes(needle)).length;
    },
    stop,
  };
}
