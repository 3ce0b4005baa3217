import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Runs one mocha file in a child process; its exit code and everything it printed. */
function runMocha(file: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${root}node_modules/mocha/bin/mocha.js`, file], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('test stack: a lane worker that crashes', function () {
  this.timeout(150_000);

  it('fails the running test with its cause instead of only logging it', async () => {
    const { code, output } = await runMocha('test/support/fixtures/lane-worker-crash.fixture.ts', 140_000);
    assert.notEqual(code, 0, `the fixture's test should fail:\n${output.slice(-2000)}`);
    assert.match(output, /0 passing/, output.slice(-2000));
    assert.match(output, /1 failing/);
    assert.match(output, /keeps running against the stack/);
    // The failure carries the worker's own error as its cause.
    assert.match(output, /Uncaught LaneWorkerCrashed: lane worker "urgent" crashed: \S/);
    assert.match(output, /Caused by: \w*Error: /);
  });
});
