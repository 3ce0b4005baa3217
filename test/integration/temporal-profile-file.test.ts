import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { startSmtpSink, type SmtpSink } from '../../dev/smtp-sink/smtp-sink.js';
import { DEV_DEFAULTS } from '../../src/config.js';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server.js';
import { freePort } from '../support/free-port.js';

/**
 * The API and the urgent lane's worker, as the processes `npm start` runs, find Temporal from a
 * TOML profile file alone (TEMPORAL_CONFIG_FILE + TEMPORAL_PROFILE, no TEMPORAL_ADDRESS or
 * TEMPORAL_NAMESPACE): the file's address and a namespace other than `default`. The API says
 * ready (it reaches Temporal and sees the lane's pollers there), and a password reset runs
 * through both, in that namespace, to the SMTP sink.
 */
describe('connecting with a Temporal profile file only', function () {
  this.timeout(120_000);
  const root = new URL('../../', import.meta.url).pathname;
  const namespace = 'floodgate-profile';
  let dir: string;
  let devServer: DevServer;
  let sink: SmtpSink;
  let apiPort: number;
  const children: ChildProcess[] = [];
  let output = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'floodgate-profile-'));
    const [temporal, api, smtp] = await Promise.all([1, 2, 3].map(() => freePort()));
    apiPort = api!;
    devServer = await startDevServer({ port: temporal!, namespace, onLog: () => undefined });
    sink = await startSmtpSink({ port: smtp! });
    const profileFile = join(dir, 'temporal.toml');
    writeFileSync(
      profileFile,
      [
        // The default profile names nothing that answers: only the chosen profile can work.
        '[profile.default]',
        'address = "127.0.0.1:1"',
        '',
        '[profile.floodgate]',
        `address = "${devServer.address}"`,
        `namespace = "${namespace}"`,
        '',
      ].join('\n'),
    );
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_') && !k.startsWith('URGENT_')),
    );
    const env = {
      ...base,
      TEMPORAL_CONFIG_FILE: profileFile,
      TEMPORAL_PROFILE: 'floodgate',
      DATA_DIR: join(dir, 'data'),
      PORT: String(apiPort),
      SMTP_URL: `smtp://127.0.0.1:${smtp}`,
      READY_TASK_QUEUES: 'urgent',
      URGENT_WORKER_METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
    };
    for (const entry of ['src/api/server.ts', 'src/workers/urgent.ts']) {
      const child = spawn(process.execPath, ['--import', 'tsx', join(root, entry)], {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const keep = (chunk: Buffer) => (output += chunk.toString());
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      children.push(child);
    }
  });

  after(async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
          }),
      ),
    );
    await sink?.stop();
    await devServer?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the API is ready: it reaches Temporal and sees the worker polling in the file’s namespace', async () => {
    const deadline = Date.now() + 90_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      if (children.some((c) => c.exitCode !== null)) break;
      status = await fetch(`http://127.0.0.1:${apiPort}/readyz`)
        .then((r) => r.status)
        .catch(() => 0);
      if (status !== 200) await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(status, 200, `readyz never answered 200; processes said:\n${output}`);
  });

  it('a password reset runs in that namespace and its mail arrives', async () => {
    const res = await fetch(`http://127.0.0.1:${apiPort}/password-resets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEV_DEFAULTS.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'u-profile', email: 'profile@example.com' }),
    });
    assert.equal(res.status, 202, await res.text());
    await sink.waitFor((m) => m.to.includes('profile@example.com'), 60_000);
    const connection = await Connection.connect({ address: devServer.address });
    try {
      const count = async (ns: string) =>
        Number((await connection.workflowService.countWorkflowExecutions({ namespace: ns })).count);
      assert.ok((await count(namespace)) >= 1, `the reset ran in ${namespace}`);
      assert.equal(await count('default'), 0, 'nothing ran in the default namespace');
    } finally {
      await connection.close();
    }
  });
});
