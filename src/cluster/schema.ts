import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SchemaTarget {
  sqlTool: string;
  /** The server module's schema/postgresql/v12 folder. */
  schemaDir: string;
  /** PostgreSQL's bin folder (for psql). */
  postgresBinDir: string;
  port: number;
}

/** What a start did to one database: `unchanged` on every start after the first. */
export interface SchemaOutcome {
  database: string;
  action: 'created' | 'updated' | 'unchanged';
  version: string;
}

/** One server's two databases (the shared server's unless named). */
export interface ServerDatabases {
  main: string;
  visibility: string;
}

const SHARED_DATABASES: ServerDatabases = { main: 'temporal', visibility: 'temporal_visibility' };

function schemaFolders(dbs: ServerDatabases) {
  return [
    { database: dbs.main, versioned: 'temporal/versioned' },
    { database: dbs.visibility, versioned: 'visibility/versioned' },
  ];
}

function compareVersions(a: string, b: string): number {
  const [pa, pb] = [a, b].map((v) => v.replace(/^v/, '').split('.').map(Number));
  for (let i = 0; i < Math.max(pa!.length, pb!.length); i++) {
    const d = (pa![i] ?? 0) - (pb![i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function latestVersion(versionedDir: string): string {
  const versions = readdirSync(versionedDir).filter((v) => /^v\d+(\.\d+)*$/.test(v));
  return versions.sort(compareVersions).at(-1)!.replace(/^v/, '');
}

async function psql(target: SchemaTarget, database: string, sql: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(
      join(target.postgresBinDir, 'psql'),
      ['-h', '127.0.0.1', '-p', String(target.port), '-U', 'temporal', '-d', database, '-tAXc', sql],
      { timeout: 15_000 },
    );
    return stdout.trim();
  } catch {
    return undefined; // no such database or table yet
  }
}

async function sqlTool(target: SchemaTarget, database: string, ...args: string[]): Promise<void> {
  const common = ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(target.port)];
  await run(target.sqlTool, [...common, '-u', 'temporal', '--db', database, ...args], { timeout: 120_000 });
}

/**
 * Brings a server's two databases to the schema of this server version with Temporal's own
 * schema tool. A database already at the newest version is not touched at all.
 */
export async function ensureSchema(
  target: SchemaTarget,
  databases: ServerDatabases = SHARED_DATABASES,
): Promise<SchemaOutcome[]> {
  const outcomes: SchemaOutcome[] = [];
  for (const { database, versioned } of schemaFolders(databases)) {
    const versionedDir = join(target.schemaDir, versioned);
    const latest = latestVersion(versionedDir);
    const exists =
      (await psql(target, 'postgres', `select 1 from pg_database where datname = '${database}'`)) === '1';
    if (!exists) await sqlTool(target, database, 'create-database');
    const current = exists
      ? await psql(target, database, 'select curr_version from schema_version')
      : undefined;
    if (current && compareVersions(current, latest) >= 0) {
      outcomes.push({ database, action: 'unchanged', version: current });
      continue;
    }
    if (!current) await sqlTool(target, database, 'setup-schema', '-v', '0.0');
    await sqlTool(target, database, 'update-schema', '-d', versionedDir);
    const version = (await psql(target, database, 'select curr_version from schema_version')) ?? '?';
    outcomes.push({ database, action: current ? 'updated' : 'created', version });
  }
  return outcomes;
}

/** The schema version each database records (for checks that a start changed nothing). */
export async function schemaVersions(
  target: SchemaTarget,
  databases: ServerDatabases = SHARED_DATABASES,
): Promise<Record<string, string | undefined>> {
  const versions: Record<string, string | undefined> = {};
  for (const { database } of schemaFolders(databases)) {
    versions[database] = await psql(target, database, 'select curr_version from schema_version');
  }
  return versions;
}
