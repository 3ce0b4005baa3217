import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackPorts } from '../support/stack-ports.js';
import { freePort } from '../support/free-port.js';

/**
 * A start that cannot work says so in one line on stderr, never with a stack trace: the real
 * `npm start` and `npm run start:cluster` entry points, run as a user runs them.
 */
describe('start-up failures are one line', function () {
  this.timeout(60_000);
  const root = new URL('../../', import.meta.url).pathname;
  let scratch: string;
  let ports: Record<string, string>;
  let occupied: Server;
  let busyPort: number;

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'floodgate-start-fail-'));
    ports = await stackPorts('cluster');
    busyPort = await freePort();
    occupied = createServer();
    await new Promise<void>((resolve) => occupied.listen(busyPort, '127.0.0.1', resolve));
  });
  after(async () => {
    await new Promise((resolve) => occupied.close(resolve));
    rmSync(scratch, { recursive: true, force: true });
  });

  function run(entry: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, entry)], {
      cwd: root,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: '',
        DATA_DIR: join(scratch, 'data'),
        LOG_LEVEL: 'warn',
        ...ports,
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
  }

  function assertOneLine(stderr: string, expected: RegExp): void {
    const lines = stderr.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, `one line on stderr, got:\n${stderr}`);
    assert.match(lines[0]!, expected);
    assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
  }

  it('start:cluster without nginx names the command that installs it', async () => {
    const { code, stderr } = await run('src/stack/start-cluster.ts', {
      NGINX_BIN: join(scratch, 'no-nginx'),
    });
    assert.equal(code, 1);
    assertOneLine(stderr, /^floodgate: nginx not found .*install it: apt-get install -y nginx-light/);
  });

  for (const entry of ['src/stack/start-cluster.ts', 'src/stack/start.ts']) {
    describe(entry, () => {
      it('a bad setting names the variable', async () => {
        const { code, stderr } = await run(entry, { PORT: 'abc' });
        assert.equal(code, 1);
        assertOneLine(
          stderr,
          /^floodgate: invalid configuration: PORT: .*; fix that setting and start again$/,
        );
      });

      it('Temporal credentials for the stack’s own server are refused before anything starts', async () => {
        const { code, stderr } = await run(entry, { TEMPORAL_API_KEY: 'some-key' });
        assert.equal(code, 1);
        assertOneLine(stderr, /^floodgate: invalid configuration: TEMPORAL_API_KEY .*unset them/);
      });

      it('a port in use names the port, its setting and what to do', async () => {
        const { code, stderr } = await run(entry, { PORT: String(busyPort) });
        assert.equal(code, 1);
        assertOneLine(
          stderr,
          new RegExp(
            `^floodgate: port ${busyPort} \\(PORT\\) is in use by another program; stop it or set PORT`,
          ),
        );
      });

      it('the autoscaler’s metrics port in use is caught before the start, not as a stack never ready', async () => {
        const { code, stderr } = await run(entry, {
          VIDEO_AUTOSCALE: 'on',
          AUTOSCALE_METRICS_PORT: String(busyPort),
        });
        assert.equal(code, 1);
        assertOneLine(
          stderr,
          new RegExp(`^floodgate: port ${busyPort} \\(AUTOSCALE_METRICS_PORT\\) is in use`),
        );
      });

      it('an unexpected error gives its message, and its stack only with LOG_LEVEL=debug', async () => {
        // DATA_DIR names a file: making folders in it fails in a way no check foresaw.
        const file = join(scratch, 'not-a-folder');
        writeFileSync(file, '');
        const { code, stderr } = await run(entry, { DATA_DIR: file });
        assert.equal(code, 1);
        assertOneLine(stderr, /^floodgate: could not start: E(NOTDIR|EXIST).*run again with LOG_LEVEL=debug/);
        const debug = await run(entry, { DATA_DIR: file, LOG_LEVEL: 'debug' });
        assert.match(debug.stderr, /E(NOTDIR|EXIST)/);
        assert.match(debug.stderr, /^\s+at /m, 'LOG_LEVEL=debug shows where it came from');
      });
    });
  }
});
