import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { StartupError } from '../startup-error.js';
import { ensureBucket } from '../storage/ensure-bucket.js';
import { createS3Client } from '../storage/s3-client.js';
import type { ServiceSpec } from '../stack/supervisor.js';

/**
 * The cluster profile's own object store: versitygw serving a folder under DATA_DIR/cluster
 * over S3 on loopback. Its root keys are generated at the first start and kept beside it
 * (mode 0600), so a restart finds the same keys and the same bucket.
 */
export interface ObjectStoreLayout {
  dir: string;
  /** Buckets are folders here, objects files below them. */
  dataDir: string;
  /** Object metadata (a sidecar folder: no extended attributes needed on the filesystem). */
  metaDir: string;
  credentialsFile: string;
  port: number;
  endpoint: string;
  /** Answers 200 without credentials while the store serves: for probes after a restart. */
  healthUrl: string;
}

export interface ObjectStoreCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const HEALTH_PATH = '/health';

/** start:cluster runs its own object store when videos go to S3 and no endpoint is given. */
export function usesOwnObjectStore(config: Config): boolean {
  return config.objectStore.backend === 's3' && !config.objectStore.endpoint;
}

export function objectStoreLayout(config: Config): ObjectStoreLayout {
  const dir = join(config.cluster.dir, 'object-store');
  const port = config.objectStore.clusterPort;
  return {
    dir,
    dataDir: join(dir, 'data'),
    metaDir: join(dir, 'meta'),
    credentialsFile: join(dir, 'credentials.json'),
    port,
    endpoint: `http://127.0.0.1:${port}`,
    healthUrl: `http://127.0.0.1:${port}${HEALTH_PATH}`,
  };
}

/** The folder the stored videos are files in: the own object store's bucket, or the local folder. */
export function storedVideosDir(config: Config): string {
  if (!usesOwnObjectStore(config)) return config.storageDir;
  return join(objectStoreLayout(config).dataDir, config.objectStore.bucket, config.objectStore.prefix);
}

/** The root keys, made on first use: random, never printed, readable by this user only. */
export function ensureObjectStoreCredentials(layout: ObjectStoreLayout): ObjectStoreCredentials {
  mkdirSync(layout.dataDir, { recursive: true, mode: 0o700 });
  mkdirSync(layout.metaDir, { recursive: true, mode: 0o700 });
  if (existsSync(layout.credentialsFile)) {
    return JSON.parse(readFileSync(layout.credentialsFile, 'utf8')) as ObjectStoreCredentials;
  }
  const credentials = {
    accessKeyId: `FG${randomBytes(9).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64url'),
  };
  writeFileSync(layout.credentialsFile, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  return credentials;
}

export function objectStoreService(
  layout: ObjectStoreLayout,
  binary: string,
  credentials: ObjectStoreCredentials,
): ServiceSpec {
  return {
    name: 'object-store',
    command: binary,
    args: [
      '--port',
      `127.0.0.1:${layout.port}`,
      '--quiet',
      '--health',
      HEALTH_PATH,
      'posix',
      '--sidecar',
      layout.metaDir,
      layout.dataDir,
    ],
    // Keys in the environment, not the command line (`ps` shows arguments to every user).
    env: { ROOT_ACCESS_KEY_ID: credentials.accessKeyId, ROOT_SECRET_ACCESS_KEY: credentials.secretAccessKey },
  };
}

/** The settings the app's processes get to use it. */
export function objectStoreEnv(
  layout: ObjectStoreLayout,
  credentials: ObjectStoreCredentials,
): Record<string, string> {
  return {
    STORAGE_BACKEND: 's3',
    S3_ENDPOINT: layout.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    S3_ACCESS_KEY_ID: credentials.accessKeyId,
    S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  };
}

/** Waits until the store answers, then makes sure the bucket exists. Returns whether it created it. */
async function waitForBucket(
  config: Config,
  layout: ObjectStoreLayout,
  credentials: ObjectStoreCredentials,
  deadline: number,
  failing: () => string | undefined,
): Promise<boolean> {
  const client = createS3Client({
    ...config.objectStore,
    endpoint: layout.endpoint,
    forcePathStyle: true,
    credentials,
  });
  try {
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      const why = failing();
      if (why) throw new StartupError(`the object store did not start: ${why}; see its lines above`);
      try {
        return await ensureBucket(client, config.objectStore.bucket);
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 1_000)));
    }
    throw new StartupError(`the object store did not answer on ${layout.endpoint} in time`);
  } finally {
    client.destroy();
  }
}

/**
 * Starts the store under the supervisor and makes sure the bucket exists; returns the settings
 * the app's processes get.
 */
export async function startObjectStore(
  config: Config,
  binary: string,
  start: (spec: ServiceSpec) => void,
  deadline: number,
  failing: () => string | undefined,
): Promise<{ env: Record<string, string>; bucketCreated: boolean; layout: ObjectStoreLayout }> {
  const layout = objectStoreLayout(config);
  const credentials = ensureObjectStoreCredentials(layout);
  start(objectStoreService(layout, binary, credentials));
  const bucketCreated = await waitForBucket(config, layout, credentials, deadline, failing);
  return { env: objectStoreEnv(layout, credentials), bucketCreated, layout };
}
