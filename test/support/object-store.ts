import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterBinaries } from '../../src/cluster/cluster-binaries.js';
import { startObjectStore } from '../../src/cluster/object-store.js';
import { loadConfig, type Config } from '../../src/config.js';
import { Supervisor } from '../../src/stack/supervisor.js';
import { freePort } from './free-port.js';

export interface TestObjectStore {
  /** The app's configuration pointing at the store, as start:cluster hands it to its children. */
  config: Config;
  output: string[];
  /** Its current process, if it runs. */
  pid(): number | undefined;
  /** Answers 200 while the store serves. */
  healthUrl: string;
  /** Starts it again after a kill, as the cluster's supervisor does, and waits for the bucket. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real object store (the cluster profile's versitygw) on a free port over a throw-away folder,
 * started by the profile's own code; `env` adds settings (part size, bucket…).
 */
export async function startTestObjectStore(env: Record<string, string> = {}): Promise<TestObjectStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'floodgate-s3-'));
  const base = { DATA_DIR: dataDir, CLUSTER_OBJECT_STORE_PORT: String(await freePort()), ...env };
  const output: string[] = [];
  const supervisor = new Supervisor({
    restart: false,
    print: (_name, line) => output.push(line),
    onFatal: () => undefined,
  });
  const stop = async () => {
    await supervisor.stopAll();
    rmSync(dataDir, { recursive: true, force: true });
  };
  // Restarts are the caller's (restart()), so a test decides how long the store stays down.
  const start = () =>
    startObjectStore(
      loadConfig({ ...base, STORAGE_BACKEND: 's3' }),
      clusterBinaries().objectStore,
      (spec) => supervisor.start(spec),
      Date.now() + 20_000,
      () => undefined,
    );
  try {
    const store = await start();
    return {
      config: loadConfig({ ...base, ...store.env }),
      output,
      pid: () => supervisor.process('object-store')?.pid,
      healthUrl: store.layout.healthUrl,
      restart: async () => void (await start()),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
