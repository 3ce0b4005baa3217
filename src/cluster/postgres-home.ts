import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../config.js';

/**
 * Where PostgreSQL's data and socket folders live.
 *
 * PostgreSQL refuses to run as root, so a root stack runs it as POSTGRES_OS_USER, and that user
 * must be able to search every folder above its data folder. A clone in /root, or a DATA_DIR in
 * a `mktemp -d` folder, sits below a 0700 folder of the user's own; opening that up (chmod o+x)
 * would quietly change the user's folders. So as root the database cluster lives in a folder
 * Floodgate owns under POSTGRES_STATE_DIR (default /var/lib/floodgate/postgres, the usual place
 * for a service's state), one per DATA_DIR; DATA_DIR/cluster/postgres-home names it, so a restart
 * finds it again. Nothing else of PostgreSQL's touches DATA_DIR: its log goes to its stdout,
 * which the (root) supervisor reads. Not as root, PostgreSQL runs as the user who owns DATA_DIR
 * and its folders stay in DATA_DIR/cluster.
 */
export interface PostgresHome {
  /** The database cluster (PGDATA). */
  dataDir: string;
  /** Unix socket folder (kept out of /var/run, which may not exist or be writable). */
  socketDir: string;
  /** The folder outside DATA_DIR that holds both, when there is one (as root). */
  home?: string;
}

/** DATA_DIR/cluster/postgres-home: the path of the folder that holds this DATA_DIR's database. */
export function homePointer(config: Config): string {
  return join(config.cluster.dir, 'postgres-home');
}

export function postgresHome(config: Config, asRoot: boolean): PostgresHome {
  const inDataDir = {
    dataDir: join(config.cluster.dir, 'postgres'),
    socketDir: join(config.cluster.dir, 'postgres-socket'),
  };
  // A database cluster made in DATA_DIR by an earlier version stays where it is.
  if (!asRoot || existsSync(join(inDataDir.dataDir, 'PG_VERSION'))) return inDataDir;
  const home = recordedHome(config) ?? newHome(config);
  return { dataDir: join(home, 'data'), socketDir: join(home, 'socket'), home };
}

function recordedHome(config: Config): string | undefined {
  const pointer = homePointer(config);
  if (!existsSync(pointer)) return undefined;
  const home = readFileSync(pointer, 'utf8').trim();
  // Its folder may have been cleaned away: the same place again, and a new database cluster.
  if (!existsSync(home)) {
    mkdirReachable(home);
    markOwner(home, config);
  }
  return home;
}

/** For an operator looking at the folder (and removePostgresHome): which DATA_DIR it serves. */
function markOwner(home: string, config: Config): void {
  writeFileSync(join(home, 'data-dir'), `${config.dataDir}\n`);
}

function newHome(config: Config): string {
  const root = config.cluster.postgresStateDir;
  mkdirReachable(root);
  // A fresh name each time: a DATA_DIR deleted and made again at the same path never gets (or
  // wipes) the database of the old one.
  const home = mkdtempSync(join(root, 'cluster-'));
  chmodSync(home, 0o755);
  markOwner(home, config);
  mkdirSync(config.cluster.dir, { recursive: true });
  writeFileSync(homePointer(config), `${home}\n`);
  return home;
}

/** Makes `dir` and any missing parents, each searchable by others (only folders made here). */
function mkdirReachable(dir: string): void {
  if (existsSync(dir)) return;
  mkdirReachable(dirname(dir));
  mkdirSync(dir);
  // Set after mkdir: a umask of 077 would otherwise shut the PostgreSQL user out.
  chmodSync(dir, 0o755);
}

/**
 * Removes the folder outside DATA_DIR that holds its database, if any, before DATA_DIR itself is
 * deleted (tests, benches). Only a folder whose `data-dir` file names this DATA_DIR is removed.
 */
export function removePostgresHome(dataDir: string): void {
  const pointer = join(resolve(dataDir), 'cluster', 'postgres-home');
  if (!existsSync(pointer)) return;
  const home = readFileSync(pointer, 'utf8').trim();
  const owner = join(home, 'data-dir');
  if (existsSync(owner) && readFileSync(owner, 'utf8').trim() === resolve(dataDir)) {
    rmSync(home, { recursive: true, force: true });
  }
}
