import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DEV_DEFAULTS } from '../../src/config.js';
import { freePort } from '../support/free-port.js';
import { productionEnv, randomSecret } from '../support/production-env.js';

/**
 * The real entry points, started as a deployment starts them, refuse unsafe settings before
 * they connect or listen: exit status 1, exactly one line per problem on stderr (each complete on
 * its own, as a container log shows it), no stack trace, no secret echoed.
 */
describe('production refuses unsafe settings at start', function () {
  this.timeout(60_000);
  const root = new URL('../../', import.meta.url).pathname;

  function run(
    entry: string,
    env: Record<string, string>,
  ): Promise<{ code: number | null; lines: string[] }> {
    // Only what is given: no setting of this machine leaks in.
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, entry)], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    return new Promise((resolve) =>
      child.once('exit', (code) => {
        clearTimeout(killer);
        resolve({ code, lines: stderr.split('\n').filter(Boolean) });
      }),
    );
  }

  type Run = Awaited<ReturnType<typeof run>>;
  const devKey = DEV_DEFAULTS.payloadKey.slice(DEV_DEFAULTS.payloadKey.indexOf(':') + 1);
  let env: Record<string, string>;
  let badProduction: Run;
  let devOnWideBind: Run;
  let workerDefaults: Run;

  // The three processes start side by side: each takes seconds to load.
  before(async () => {
    env = productionEnv({
      PORT: String(await freePort()),
      API_KEYS: 'change-me',
      PAYLOAD_ENCRYPTION_KEYS: `rotated:${devKey}`,
      DOWNLOAD_ALLOWED_HOSTS: 'replicate.delivery,127.0.0.1',
      PASSWORD_RESET_URL_BASE: 'http://localhost:3000/reset',
      GENERIC_WEBHOOK_LEGACY_UNTIMED: 'true',
      SMTP_URL: `smtp://mailer:${randomSecret()}@smtp.acme.internal:587?ignoreTLS=true`,
    });
    [badProduction, devOnWideBind, workerDefaults] = await Promise.all([
      run('src/api/server.ts', env),
      run('src/api/server.ts', { HOST: '0.0.0.0', PORT: String(await freePort()) }),
      run('src/workers/urgent.ts', { NODE_ENV: 'production' }),
    ]);
  });

  it('the API with NODE_ENV=production and six bad settings: six lines, exit 1', () => {
    const { code, lines } = badProduction;
    assert.equal(code, 1);
    assert.equal(lines.length, 6, `one line per problem, got:\n${lines.join('\n')}`);
    const named = lines.map((l) => /^api: invalid configuration for production: ([A-Z_]+): \S/.exec(l)?.[1]);
    assert.deepEqual(named, [
      'PAYLOAD_ENCRYPTION_KEYS',
      'API_KEYS',
      'DOWNLOAD_ALLOWED_HOSTS',
      'PASSWORD_RESET_URL_BASE',
      'GENERIC_WEBHOOK_LEGACY_UNTIMED',
      'SMTP_URL',
    ]);
    assert.ok(!lines.some((l) => /^\s+at /.test(l)), 'no stack trace');
    const secrets = [env.REPLICATE_WEBHOOK_SECRETS!, env.GENERIC_WEBHOOK_SECRETS!, env.SMTP_URL!, devKey];
    for (const s of secrets) assert.ok(!lines.join('\n').includes(s), 'no secret echoed');
  });

  it('the API with the development defaults on a wider bind: one line, exit 1', () => {
    const { code, lines } = devOnWideBind;
    assert.equal(code, 1);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(
      lines[0]!,
      /^api: invalid configuration: HOST: 0\.0\.0\.0 is beyond loopback, but without NODE_ENV=production/,
    );
  });

  it('a lane worker with NODE_ENV=production and nothing else set: every problem, one line each', () => {
    const { code, lines } = workerDefaults;
    assert.equal(code, 1);
    assert.equal(lines.length, 13, lines.join('\n'));
    for (const line of lines)
      assert.match(line, /^worker-urgent: invalid configuration for production: [A-Z_]+: \S/);
  });
});
