import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../support/free-port.js';

/**
 * `npm start` as a user runs it: the real supervisor process with its dev server, SMTP sink,
 * simulated provider, API and lane workers. Checks the URLs it prints, that Ctrl-C leaves no
 * process behind, and that a second start finds the state of the first.
 */
describe('local stack (npm start)', function () {
  this.timeout(240_000);
  const root = new URL('../../', import.meta.url).pathname;
  let dataDir: string;
  let ports: Record<'api' | 'temporal' | 'ui' | 'smtp' | 'provider', number>;
  let stack: ChildProcess | undefined;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'floodgate-stack-'));
    const [api, temporal, ui, smtp, provider] = await Promise.all([1, 2, 3, 4, 5].map(() => freePort()));
    ports = { api: api!, temporal: temporal!, ui: ui!, smtp: smtp!, provider: provider! };
  });
  afterEach(() => {
    // The stack runs in its own process group: a failed test takes all of it down, not just the supervisor.
    if (stack?.pid && stack.exitCode === null) {
      try {
        process.kill(-stack.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  function startStack(): { child: ChildProcess; output: () => string; up: Promise<void> } {
    let output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/stack/start.ts')], {
      cwd: root,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: '',
        DATA_DIR: dataDir,
        PORT: String(ports.api),
        TEMPORAL_PORT: String(ports.temporal),
        TEMPORAL_UI_PORT: String(ports.ui),
        SMTP_SINK_PORT: String(ports.smtp),
        PROVIDER_SIM_PORT: String(ports.provider),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    stack = child;
    const up = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ctrl-C stops everything.')) resolve(); // the banner's last line
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`stack exited (${code}) before it was up:\n${output}`)));
    });
    return { child, output: () => output, up };
  }

  function childPids(pid: number): number[] {
    const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).trim();
    return out ? out.split('\n').map((s) => Number(s.trim())) : [];
  }

  /** Running, not merely a zombie waiting for a reaper. */
  function alive(pid: number): boolean {
    try {
      const state = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
      return state !== '' && !state.startsWith('Z');
    } catch {
      return false; // ps exits non-zero when the pid is gone
    }
  }

  async function stopWithCtrlC(child: ChildProcess): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    return exited;
  }

  it('comes up with every service, answers health checks and the Web UI, and Ctrl-C leaves nothing behind', async () => {
    const { child, output, up } = startStack();
    await up;
    const text = output();
    for (const url of [
      `http://127.0.0.1:${ports.api}`,
      `http://127.0.0.1:${ports.ui}`,
      `127.0.0.1:${ports.temporal}`,
    ]) {
      assert.ok(text.includes(url), `banner should name ${url}`);
    }
    assert.equal((await fetch(`http://127.0.0.1:${ports.api}/healthz`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${ports.api}/readyz`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${ports.ui}/`)).status, 200);

    // A run left open by the first start must still be there after the second.
    const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
    const client = new Client({ connection });
    await client.workflow.start('persistenceProbe', {
      taskQueue: 'nobody-polls-this',
      workflowId: 'persistence-probe',
    });
    await connection.close();

    const children = childPids(child.pid!);
    assert.ok(children.length >= 6, `expected dev server + 5 services, saw ${children.length} children`);
    // Video work and the simulated provider yield the CPU (STACK_BACKGROUND_NICE, default 10);
    // the API, the urgent worker and the dev server keep the stack's own priority.
    const niceness = (pid: number) =>
      Number(execFileSync('ps', ['-o', 'ni=', '-p', String(pid)], { encoding: 'utf8' }).trim());
    const entryOf = (pid: number) =>
      execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    const own = niceness(child.pid!);
    const seen = children.map((pid) => `${entryOf(pid).slice(0, 60)} ni=${niceness(pid)}`);
    for (const pid of children) {
      const background = /workers\/video\.ts|provider\/main\.ts/.test(entryOf(pid));
      assert.equal(
        niceness(pid),
        background ? 10 : own,
        `niceness of the stack's children: ${seen.join('; ')}`,
      );
    }
    assert.ok(
      children.filter((pid) => /workers\/video\.ts/.test(entryOf(pid))).length === 1,
      `one video worker among: ${seen.join('; ')}`,
    );
    assert.equal(await stopWithCtrlC(child), 0);
    await new Promise((r) => setTimeout(r, 500));
    const survivors = children.filter((pid) => alive(pid));
    const describe = (pid: number) =>
      execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    assert.deepEqual(
      survivors,
      [],
      `no child process may outlive the stack: ${survivors.map(describe).join('; ')}`,
    );
    assert.ok(existsSync(join(dataDir, 'temporal.sqlite')), 'dev server state is kept under DATA_DIR');
  });

  it('a second start reuses the persisted Temporal state', async () => {
    const { child, up } = startStack();
    await up;
    const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
    try {
      const description = await new Client({ connection }).workflow.getHandle('persistence-probe').describe();
      assert.equal(description.status.name, 'RUNNING');
    } finally {
      await connection.close();
    }
    assert.equal(await stopWithCtrlC(child), 0);
  });
});
