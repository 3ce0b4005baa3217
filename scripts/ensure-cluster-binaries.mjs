#!/usr/bin/env node
// Provides the cluster profile's programs: the Temporal server and its SQL schema tool
// (v1.29.1), the Temporal Web UI server (v2.41.0) and the object store (versitygw v1.8.0, an
// S3 server over a local folder, Apache-2.0), built with this machine's Go toolchain through
// the Go module proxy, plus the path of the server's PostgreSQL schema files.
//
// Builds are cached outside the repository, keyed by version, so every clone on a machine
// shares them: ${FLOODGATE_CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/floodgate/cluster}.
// Explicit programs win: FLOODGATE_TEMPORAL_SERVER, FLOODGATE_TEMPORAL_SQL_TOOL,
// FLOODGATE_TEMPORAL_UI_SERVER, FLOODGATE_OBJECT_STORE, FLOODGATE_TEMPORAL_SCHEMA_DIR. Writes paths.json in the cache
// folder for src/cluster/cluster-binaries.ts. Idempotent, never prompts.
//
//   node scripts/ensure-cluster-binaries.mjs [--quiet-if-cached]
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const SERVER_VERSION = 'v1.29.1';
const UI_VERSION = 'v2.41.0';
const OBJECT_STORE_VERSION = 'v1.8.0';
const quietIfCached = process.argv.includes('--quiet-if-cached');

const cacheRoot =
  process.env.FLOODGATE_CLUSTER_CACHE ??
  join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'floodgate', 'cluster');

// Both main packages are named `server`: each build gets a folder (GOBIN) of its own.
const PROGRAMS = [
  {
    key: 'server',
    envVar: 'FLOODGATE_TEMPORAL_SERVER',
    pkg: `go.temporal.io/server/cmd/server@${SERVER_VERSION}`,
    dir: join(cacheRoot, `temporal-server-${SERVER_VERSION}`),
    file: 'server',
  },
  {
    key: 'sqlTool',
    envVar: 'FLOODGATE_TEMPORAL_SQL_TOOL',
    pkg: `go.temporal.io/server/cmd/tools/sql@${SERVER_VERSION}`,
    dir: join(cacheRoot, `temporal-sql-tool-${SERVER_VERSION}`),
    file: 'sql',
  },
  {
    key: 'uiServer',
    envVar: 'FLOODGATE_TEMPORAL_UI_SERVER',
    pkg: `github.com/temporalio/ui-server/v2/cmd/server@${UI_VERSION}`,
    dir: join(cacheRoot, `temporal-ui-server-${UI_VERSION}`),
    file: 'server',
  },
  {
    key: 'objectStore',
    envVar: 'FLOODGATE_OBJECT_STORE',
    pkg: `github.com/versity/versitygw/cmd/versitygw@${OBJECT_STORE_VERSION}`,
    dir: join(cacheRoot, `versitygw-${OBJECT_STORE_VERSION}`),
    file: 'versitygw',
  },
];

const say = (msg) => process.stderr.write(`[cluster] ${msg}\n`);

function goEnv(name) {
  return execFileSync('go', ['env', name], { encoding: 'utf8' }).trim();
}

function requireGo() {
  try {
    return execFileSync('go', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'the Go toolchain (`go`) is not on PATH: install Go ≥ 1.24 (Debian: apt-get install golang-go, ' +
        'or the official tarball), or point FLOODGATE_TEMPORAL_SERVER, FLOODGATE_TEMPORAL_SQL_TOOL, ' +
        'FLOODGATE_TEMPORAL_UI_SERVER, FLOODGATE_OBJECT_STORE and FLOODGATE_TEMPORAL_SCHEMA_DIR at existing files',
    );
  }
}

/** `go install` with a heartbeat every 15 s, into a temporary GOBIN renamed into place at the end. */
function goInstall(program) {
  const tmpBin = `${program.dir}.partial`;
  rmSync(tmpBin, { recursive: true, force: true });
  mkdirSync(tmpBin, { recursive: true });
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn('go', ['install', program.pkg], {
      env: { ...process.env, GOBIN: tmpBin, CGO_ENABLED: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setInterval(
      () => say(`  … building ${program.pkg}: ${Math.round((Date.now() - started) / 1000)} s`),
      15_000,
    );
    child.on('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearInterval(timer);
      if (code !== 0) {
        reject(
          new Error(`go install ${program.pkg} failed: ${output.trim().split('\n').slice(-5).join(' | ')}`),
        );
        return;
      }
      rmSync(program.dir, { recursive: true, force: true });
      renameSync(tmpBin, program.dir);
      say(`  built ${program.pkg} in ${Math.round((Date.now() - started) / 1000)} s`);
      resolve();
    });
  });
}

async function ensureProgram(program) {
  const explicit = process.env[program.envVar];
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`${program.envVar}=${explicit} does not exist`);
    say(`${program.key}: ${explicit} (${program.envVar})`);
    return explicit;
  }
  const path = join(program.dir, program.file);
  if (existsSync(path)) {
    if (!quietIfCached) say(`${program.key}: cached ${path}`);
    return path;
  }
  requireGo();
  say(`${program.key}: building ${program.pkg} with ${requireGo()} (a cold build takes minutes)`);
  await goInstall(program);
  chmodSync(path, 0o755);
  return path;
}

function schemaDir() {
  const explicit = process.env.FLOODGATE_TEMPORAL_SCHEMA_DIR;
  if (!explicit) requireGo();
  const dir =
    explicit ||
    join(goEnv('GOMODCACHE'), `go.temporal.io/server@${SERVER_VERSION}`, 'schema', 'postgresql', 'v12');
  if (!existsSync(join(dir, 'temporal', 'versioned'))) {
    throw new Error(
      `PostgreSQL schema files not found in ${dir}` +
        (explicit ? '' : ` (run: go mod download go.temporal.io/server@${SERVER_VERSION})`),
    );
  }
  return dir;
}

async function main() {
  mkdirSync(cacheRoot, { recursive: true });
  const paths = {
    serverVersion: SERVER_VERSION,
    uiVersion: UI_VERSION,
    objectStoreVersion: OBJECT_STORE_VERSION,
  };
  for (const program of PROGRAMS) paths[program.key] = await ensureProgram(program);
  paths.schemaDir = schemaDir();
  if (!quietIfCached) say(`schema: ${paths.schemaDir}`);
  const file = join(cacheRoot, 'paths.json');
  writeFileSync(file, `${JSON.stringify(paths, null, 2)}\n`);
  if (!quietIfCached) say(`ready (${file})`);
}

main().catch((err) => {
  say(`!!! ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
