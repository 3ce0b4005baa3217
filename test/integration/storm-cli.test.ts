import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../support/free-port.js';

/**
 * `npm run storm` with no Temporal to read the jobs from (no stack started, or beside
 * `start:cluster` with another DATA_DIR, whose server refuses a client without its certificate):
 * one line that says what is wrong and what to do, never a stack trace.
 */
describe('npm run storm: no Temporal server to reach', function () {
  this.timeout(60_000);
  const root = new URL('../../', import.meta.url).pathname;
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'floodgate-storm-cli-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('says in one line where it looked and how to start the stack, and exits 2', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const failed = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(root, 'dev/storm/cli.ts'), '--jobs', '1'],
      { cwd: root, env: { ...process.env, DATA_DIR: dataDir, TEMPORAL_ADDRESS: address } },
    ).then(
      () => assert.fail('the storm ran without a Temporal server'),
      (err: { code?: number; stderr?: string }) => err,
    );
    assert.equal(failed.code, 2);
    const lines = (failed.stderr ?? '').trim().split('\n');
    const last = lines.at(-1) ?? '';
    assert.match(last, new RegExp(`^storm: cannot reach Temporal at ${address} \\(`));
    assert.match(last, /start the stack first \(npm start or npm run start:cluster\)/);
    assert.deepEqual(
      lines.filter((l) => /^\s+at /.test(l)),
      [],
      'no stack trace',
    );
  });
});
