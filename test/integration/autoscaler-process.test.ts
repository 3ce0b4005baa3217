import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../support/free-port.js';
import { processAlive } from '../support/process-alive.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/**
 * The autoscaler as `npm start` runs it (VIDEO_AUTOSCALE=on): its own process, which starts
 * the minimum of video worker processes, serves its metrics, and on SIGTERM stops its replicas
 * before it exits, so none outlives it.
 */
describe('autoscaler process: starts its replicas and takes them down with it', function () {
  this.timeout(120_000);
  const root = new URL('../../', import.meta.url).pathname;
  let stack: TestStack;
  let child: ChildProcess | undefined;
  let output = '';

  before(async () => {
    stack = await startTestStack({ lanes: [], provider: false });
  });
  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await stack?.stop();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed')
      console.error(`autoscaler output (tail):\n${output.slice(-4_000)}`);
  });

  const pidOf = (n: number) => {
    const file = join(stack.dataDir, 'run', `worker-video-${n}.pid`);
    return existsSync(file) ? Number(readFileSync(file, 'utf8')) : undefined;
  };

  /** Starts the autoscaler process and waits until `replicas` of its workers report RUNNING. */
  async function startAutoscaler(replicas: number, metricsPort: number): Promise<ChildProcess> {
    output = '';
    const started = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/workers/autoscaler/main.ts')],
      {
        env: {
          ...process.env,
          ...stack.env,
          AUTOSCALE_MIN_REPLICAS: String(replicas),
          AUTOSCALE_MAX_REPLICAS: '3',
          AUTOSCALE_INTERVAL: '1s',
          AUTOSCALE_METRICS_PORT: String(metricsPort),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = started;
    for (const stream of [started.stdout!, started.stderr!]) {
      stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
    }
    // The replicas' SDK workers report RUNNING (tagged with the replica's name).
    const running = () => new Set(output.match(/\[worker-video-\d\][^\n]*state: 'RUNNING'/g) ?? []).size;
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline && running() < replicas) {
      assert.equal(started.exitCode, null, 'the autoscaler exited early');
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(running(), replicas, `${replicas} replicas are running`);
    return started;
  }

  it('runs the minimum of replicas, reports them, and stops them on SIGTERM', async () => {
    const metricsPort = await freePort();
    const child = await startAutoscaler(2, metricsPort);
    assert.match(output, /video backlog=0 .* replicas 2 → 2 \(steady\)/);
    const pids = [pidOf(1), pidOf(2)];
    assert.ok(
      pids.every((p) => p !== undefined && processAlive(p)),
      `replica PIDs ${pids.join(', ')}`,
    );
    assert.equal(pidOf(3), undefined);

    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.match(metrics, /^floodgate_autoscaler_replicas\{task_queue="video"\} 2$/m);

    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child!.once('exit', (c) => r(c)));
    assert.equal(code, 0);
    for (const pid of pids) assert.equal(processAlive(pid!), false, `replica ${pid} outlived the autoscaler`);
  });

  it('a replica whose autoscaler was killed with SIGKILL stops by itself', async () => {
    const child = await startAutoscaler(1, await freePort());
    const replica = pidOf(1);
    assert.ok(replica !== undefined && processAlive(replica), 'the replica runs');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && processAlive(replica)) await new Promise((r) => setTimeout(r, 250));
    assert.equal(processAlive(replica), false, `replica ${replica} outlived its killed autoscaler`);
  });
});
