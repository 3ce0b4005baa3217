import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { StartupError } from '../startup-error.js';

export interface ClusterBinaries {
  serverVersion: string;
  uiVersion: string;
  /** Temporal server (every service in one process). */
  server: string;
  /** Temporal's SQL schema tool. */
  sqlTool: string;
  /** Temporal Web UI server, assets embedded. */
  uiServer: string;
  objectStoreVersion: string;
  /** versitygw: the S3 server the cluster profile keeps its videos in. */
  objectStore: string;
  /** The server module's schema/postgresql/v12 folder. */
  schemaDir: string;
}

/** Where scripts/ensure-cluster-binaries.mjs caches its builds (shared by every clone on a machine). */
export function clusterCacheDir(): string {
  return (
    process.env.FLOODGATE_CLUSTER_CACHE ??
    join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'floodgate', 'cluster')
  );
}

/** Paths written by scripts/ensure-cluster-binaries.mjs (`npm run cluster:ensure`). */
export function clusterBinaries(): ClusterBinaries {
  const pathsFile = join(clusterCacheDir(), 'paths.json');
  if (!existsSync(pathsFile)) {
    throw new StartupError(`cluster binaries not found (${pathsFile}); run: npm run cluster:ensure`);
  }
  const binaries = JSON.parse(readFileSync(pathsFile, 'utf8')) as ClusterBinaries;
  // A cache written before the object store joined the profile.
  if (!binaries.objectStore) {
    throw new StartupError(`the object store is not in ${pathsFile}; run: npm run cluster:ensure`);
  }
  return binaries;
}
