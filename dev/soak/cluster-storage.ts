import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { objectStoreLayout, usesOwnObjectStore } from '../../src/cluster/object-store.js';
import { findPostgresBinDir } from '../../src/cluster/postgres.js';
import type { Config } from '../../src/config.js';

/** stdout of a command, also when it exits non-zero (du warns about files removed while it counts). */
function output(file: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 20_000, encoding: 'utf8' }, (_err, stdout) => resolve(stdout ?? ''));
  });
}

/** Bytes a folder takes on disk (`du`), undefined if it cannot be read. */
export async function diskBytes(dir: string): Promise<number | undefined> {
  const bytes = Number(/^(\d+)/.exec(await output('nice', ['-n', '19', 'du', '-sB1', dir]))?.[1] ?? NaN);
  return Number.isFinite(bytes) ? bytes : undefined;
}

/** `name|bytes` lines, as psql -tA prints them, to a record. */
export function parseDatabaseSizes(text: string): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [name, bytes] = line.trim().split('|');
    if (name && bytes && /^\d+$/.test(bytes)) sizes[name] = Number(bytes);
  }
  return sizes;
}

/**
 * What start:cluster keeps on disk, in bytes: each Temporal database (both servers', from
 * pg_database_size), the own object store's folder, and the whole DATA_DIR. A part that cannot
 * be read this time (PostgreSQL restarting) is left out of the sample.
 */
export function clusterStorageSampler(config: Config): () => Promise<Record<string, number>> {
  const psql = join(findPostgresBinDir(config.cluster.postgresBinDir), 'psql');
  const port = String(config.cluster.postgresPort);
  const objectStore = usesOwnObjectStore(config) ? objectStoreLayout(config).dir : undefined;
  return async () => {
    const [databases, store, dataDir] = await Promise.all([
      output(psql, [
        ...['-h', '127.0.0.1', '-p', port, '-U', 'temporal', '-d', 'postgres', '-tAXc'],
        "select datname, pg_database_size(datname) from pg_database where datname like 'temporal%' order by 1",
      ]).then(parseDatabaseSizes),
      objectStore ? diskBytes(objectStore) : undefined,
      diskBytes(config.dataDir),
    ]);
    const parts: Record<string, number> = {};
    for (const [name, bytes] of Object.entries(databases)) parts[`db ${name}`] = bytes;
    if (store !== undefined) parts['object store'] = store;
    if (dataDir !== undefined) parts.DATA_DIR = dataDir;
    return parts;
  };
}
