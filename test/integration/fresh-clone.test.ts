import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { homePointer, removePostgresHome } from '../../src/cluster/postgres-home.js';
import { loadConfig } from '../../src/config.js';
import { stackPorts } from '../support/stack-ports.js';
import { stackProcesses } from '../support/stack-processes.js';

/**
 * `git clone` into a home folder of mode 0700 (as /root is), then `npm run start:cluster` from
 * the clone with the default DATA_DIR (.data inside it): as root, PostgreSQL runs as another
 * user that cannot enter that folder, and the stack must come up anyway without opening up the
 * user's folders. The clone is of the working tree as it is now (a commit made with a private
 * index, so uncommitted changes are what is tested); `npm ci` is skipped by linking this
 * checkout's node_modules and the Temporal programs in .cache.
 */
describe('a fresh clone in a 0700 folder (npm run start:cluster)', function () {
  this.timeout(300_000);
  const source = new URL('../../', import.meta.url).pathname;
  let scratch: string;
  let home: string;
  let clone: string;
  let env: Record<string, string>;
  let apiPort: number;
  let stack: ChildProcess | undefined;
  let output = '';

  const git = (args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
    execFileSync('git', args, { encoding: 'utf8', ...opts }).trim();
  const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'floodgate-clone-'));
    home = join(scratch, 'home');
    mkdirSync(home, { mode: 0o700 });
    const index = { ...process.env, GIT_INDEX_FILE: join(scratch, 'index') };
    git(['add', '-A'], { cwd: source, env: index });
    const tree = git(['write-tree'], { cwd: source, env: index });
    const commit = git(['commit-tree', tree, '-p', 'HEAD', '-m', 'working tree'], { cwd: source });
    clone = join(home, 'floodgate');
    // A local clone copies the whole object store, so the unreferenced commit is there too.
    git(['clone', '--quiet', '--no-checkout', source, clone]);
    git(['checkout', '--quiet', commit], { cwd: clone });
    symlinkSync(join(source, 'node_modules'), join(clone, 'node_modules'));
    // The Temporal programs are linked one by one: the clone writes its own paths.json, which
    // must not overwrite this checkout's.
    const programs = join(source, '.cache', 'temporal');
    mkdirSync(join(clone, '.cache', 'temporal'), { recursive: true });
    for (const name of readdirSync(programs).filter((n) => n !== 'paths.json')) {
      symlinkSync(join(programs, name), join(clone, '.cache', 'temporal', name));
    }

    // Its own ports, the autoscaler's included: a stack elsewhere on the machine may hold the defaults.
    env = { TEMPORAL_ADDRESS: '', DATA_DIR: '', ...(await stackPorts('cluster')), LOG_LEVEL: 'warn' };
    apiPort = Number(env.PORT);
  });

  function killStack(): void {
    if (stack?.pid) {
      try {
        process.kill(-stack.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  after(() => {
    killStack();
    if (clone) removePostgresHome(join(clone, '.data'));
    rmSync(scratch, { recursive: true, force: true });
  });

  it('comes up ready, leaves the user folders as they were, and Ctrl-C stops every process', async () => {
    assert.equal(mode(home), '700');
    const cloneMode = mode(clone);
    stack = spawn('npm', ['run', 'start:cluster'], {
      cwd: clone,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: Ctrl-C in a terminal signals the whole group.
      detached: true,
    });
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ctrl-C stops everything.')) resolve();
      };
      stack!.stdout!.on('data', onData);
      stack!.stderr!.on('data', onData);
      stack!.once('exit', (code) => reject(new Error(`stack exited (${code}) before it was up:\n${output}`)));
    });
    assert.equal((await fetch(`http://127.0.0.1:${apiPort}/readyz`)).status, 200);
    assert.match(output, /PostgreSQL database cluster created/);

    const config = loadConfig({ DATA_DIR: join(clone, '.data') });
    let pgHome: string | undefined;
    if (process.getuid?.() === 0) {
      pgHome = readFileSync(homePointer(config), 'utf8').trim();
      assert.ok(pgHome.startsWith(config.cluster.postgresStateDir), pgHome);
      assert.ok(existsSync(join(pgHome, 'data', 'PG_VERSION')), 'the database cluster is in its own folder');
    }
    assert.equal(mode(home), '700', 'the home folder is still closed to others');
    assert.equal(mode(scratch), '700');
    assert.equal(mode(clone), cloneMode);

    process.kill(-stack.pid!, 'SIGINT');
    const deadline = Date.now() + 90_000;
    while (stackProcesses(join(clone, '.data'), [clone]).length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.deepEqual(
      stackProcesses(join(clone, '.data'), [clone]),
      [],
      'PostgreSQL and every other process stopped',
    );
    const listening = execFileSync('ss', ['-ltnH'], { encoding: 'utf8' });
    for (const port of [apiPort, Number(env.TEMPORAL_PORT), Number(env.CLUSTER_POSTGRES_PORT)]) {
      assert.ok(!listening.includes(`127.0.0.1:${port} `), `port ${port} is free again`);
    }
  });
});
