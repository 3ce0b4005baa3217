import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { ServiceSpec } from '../stack/supervisor.js';

/** Debian's package; its programs live under /usr/lib/postgresql/<version>/bin. */
const DEBIAN_PACKAGE = 'postgresql';

export interface PostgresLayout {
  binDir: string;
  /** The database cluster (PGDATA). */
  dataDir: string;
  /** Unix socket folder (kept out of /var/run, which may not exist or be writable). */
  socketDir: string;
  port: number;
  /** Set when the stack runs as root: PostgreSQL then runs as this user. */
  runAs?: { user: string; uid: number; gid: number };
}

/** POSTGRES_BIN_DIR, else `pg_config --bindir`, else the newest Debian version folder. */
export function findPostgresBinDir(explicit?: string): string {
  const candidates: string[] = [];
  if (explicit) candidates.push(explicit);
  else {
    try {
      candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
    } catch {
      // no pg_config on PATH
    }
    const lib = '/usr/lib/postgresql';
    if (existsSync(lib)) {
      const versions = readdirSync(lib)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a));
      candidates.push(...versions.map((v) => join(lib, v, 'bin')));
    }
  }
  const found = candidates.find(
    (dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')),
  );
  if (found) return found;
  throw new Error(
    explicit
      ? `POSTGRES_BIN_DIR=${explicit} has no initdb and postgres`
      : `PostgreSQL not found (no initdb/postgres under pg_config --bindir or /usr/lib/postgresql/*/bin); ` +
          `install Debian's package: apt-get install ${DEBIAN_PACKAGE}`,
  );
}

function lookUpUser(user: string): { user: string; uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    return { user, uid, gid };
  } catch {
    throw new Error(
      `PostgreSQL refuses to run as root and there is no user "${user}" to run it as ` +
        `(POSTGRES_OS_USER; Debian's ${DEBIAN_PACKAGE} package creates "postgres")`,
    );
  }
}

export function postgresLayout(config: Config): PostgresLayout {
  const root = process.getuid?.() === 0;
  return {
    binDir: findPostgresBinDir(config.cluster.postgresBinDir),
    dataDir: join(config.cluster.dir, 'postgres'),
    socketDir: join(config.cluster.dir, 'postgres-socket'),
    port: config.cluster.postgresPort,
    runAs: root ? lookUpUser(config.cluster.postgresOsUser) : undefined,
  };
}

/** Lets others pass through a folder (search bit only), so the PostgreSQL user reaches its data. */
function allowTraversal(dir: string): void {
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o001) === 0) chmodSync(dir, mode | 0o001);
}

/**
 * Creates the database cluster on first use (user `temporal`, trust auth on loopback only).
 * Returns whether it was created now. As root, the data and socket folders are handed to the
 * PostgreSQL user, and the folders above them inside DATA_DIR get the search bit for others.
 */
export function preparePostgres(layout: PostgresLayout, dataRoot: string): boolean {
  mkdirSync(layout.dataDir, { recursive: true, mode: 0o700 });
  mkdirSync(layout.socketDir, { recursive: true, mode: 0o700 });
  if (layout.runAs) {
    const { uid, gid } = layout.runAs;
    for (let dir = join(layout.dataDir, '..'); dir.startsWith(dataRoot); dir = join(dir, '..')) {
      allowTraversal(dir);
      if (dir === dataRoot) break;
    }
    for (const dir of [layout.dataDir, layout.socketDir]) {
      chownSync(dir, uid, gid);
      chmodSync(dir, 0o700);
    }
  }
  if (existsSync(join(layout.dataDir, 'PG_VERSION'))) return false;
  const result = spawnSync(
    join(layout.binDir, 'initdb'),
    ['-D', layout.dataDir, '-U', 'temporal', '--auth=trust', '-E', 'UTF8', '--locale=C'],
    { uid: layout.runAs?.uid, gid: layout.runAs?.gid, cwd: layout.dataDir, encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(`initdb failed: ${`${result.stderr ?? ''}${result.error?.message ?? ''}`.trim()}`);
  }
  return true;
}

/** PostgreSQL in the foreground, loopback only, so the supervisor owns and restarts it. */
export function postgresService(layout: PostgresLayout): ServiceSpec {
  return {
    name: 'postgres',
    command: join(layout.binDir, 'postgres'),
    args: [
      '-D',
      layout.dataDir,
      '-p',
      String(layout.port),
      '-k',
      layout.socketDir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=200',
    ],
    cwd: layout.dataDir,
    uid: layout.runAs?.uid,
    gid: layout.runAs?.gid,
    // SIGINT is PostgreSQL's "fast" shutdown: sessions end, data is flushed.
    stopSignal: 'SIGINT',
  };
}

/** Resolves once PostgreSQL accepts connections on its TCP port. */
export async function waitForPostgres(layout: PostgresLayout, deadline: number): Promise<void> {
  for (;;) {
    const probe = spawnSync(
      join(layout.binDir, 'pg_isready'),
      ['-q', '-h', '127.0.0.1', '-p', String(layout.port), '-U', 'temporal'],
      { timeout: 5_000 },
    );
    if (probe.status === 0) return;
    if (Date.now() > deadline) throw new Error(`PostgreSQL not ready on 127.0.0.1:${layout.port}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
