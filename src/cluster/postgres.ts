import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { ServiceSpec } from '../stack/supervisor.js';
import { StartupError } from '../startup-error.js';
import { postgresHome } from './postgres-home.js';

/** Debian's package; its programs live under /usr/lib/postgresql/<version>/bin. */
const DEBIAN_PACKAGE = 'postgresql';

export interface PostgresLayout {
  binDir: string;
  /** The database cluster (PGDATA); see postgres-home.ts for where it lives and why. */
  dataDir: string;
  /** Unix socket folder (kept out of /var/run, which may not exist or be writable). */
  socketDir: string;
  /** As root: the folder outside DATA_DIR that holds both. */
  home?: string;
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
  throw new StartupError(
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
    throw new StartupError(
      `PostgreSQL refuses to run as root and there is no user "${user}" to run it as ` +
        `(POSTGRES_OS_USER; Debian's ${DEBIAN_PACKAGE} package creates "postgres")`,
    );
  }
}

export function postgresLayout(config: Config): PostgresLayout {
  const root = process.getuid?.() === 0;
  const binDir = findPostgresBinDir(config.cluster.postgresBinDir);
  const runAs = root ? lookUpUser(config.cluster.postgresOsUser) : undefined;
  return { binDir, ...postgresHome(config, root), port: config.cluster.postgresPort, runAs };
}

/**
 * Creates the database cluster on first use (user `temporal`, trust auth on loopback only).
 * Returns whether it was created now. As root, the data and socket folders are handed to the
 * PostgreSQL user; no folder above them changes.
 */
export function preparePostgres(layout: PostgresLayout): boolean {
  mkdirSync(layout.dataDir, { recursive: true, mode: 0o700 });
  mkdirSync(layout.socketDir, { recursive: true, mode: 0o700 });
  if (layout.runAs) {
    const { uid, gid } = layout.runAs;
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
    const why = `${result.stderr ?? ''}${result.error?.message ?? ''}`.trim().split('\n')[0];
    const who = layout.runAs
      ? `the user ${layout.runAs.user} can reach and write it (or set POSTGRES_STATE_DIR elsewhere)`
      : 'you can write it (DATA_DIR)';
    throw new StartupError(
      `PostgreSQL's initdb failed in ${layout.dataDir}: ${why}; check that ${who}, then start again`,
    );
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

/**
 * Resolves once PostgreSQL accepts connections on its TCP port. `failing` names a reason to stop
 * waiting early (the server keeps exiting), so a broken start says why at once.
 */
export async function waitForPostgres(
  layout: PostgresLayout,
  deadline: number,
  failing: () => string | undefined = () => undefined,
): Promise<void> {
  for (;;) {
    const probe = spawnSync(
      join(layout.binDir, 'pg_isready'),
      ['-q', '-h', '127.0.0.1', '-p', String(layout.port), '-U', 'temporal'],
      { timeout: 5_000 },
    );
    if (probe.status === 0) return;
    const why = failing() ?? (Date.now() > deadline ? 'not ready in time' : undefined);
    if (why) {
      throw new StartupError(
        `PostgreSQL did not start on 127.0.0.1:${layout.port} (${why}); ` +
          `see its lines above, fix that (or CLUSTER_POSTGRES_PORT) and start again`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
