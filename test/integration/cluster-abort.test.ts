import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster } from '../../src/stack/cluster-stack.js';
import { stackPorts } from '../support/stack-ports.js';
import { removePostgresHome } from '../../src/cluster/postgres-home.js';
import { stackProcesses } from '../support/stack-processes.js';

/**
 * Ctrl-C while `npm run start:cluster` waits on a step that never ends (here: an API port held by
 * something else that answers /readyz with 503) stops the start-up at once, with everything it
 * had started, instead of holding on until the start's deadline.
 */
describe('cluster profile: an abort during a start-up step that never ends', function () {
  this.timeout(180_000);
  let dataDir: string;
  let squatter: Server;

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'floodgate-cluster-abort-'));
  });
  after(async () => {
    await new Promise<void>((resolve) => (squatter ? squatter.close(() => resolve()) : resolve()));
    removePostgresHome(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops within seconds and leaves no process behind', async () => {
    const ports = await stackPorts('cluster');
    const api = Number(ports.PORT);
    // Taken once the start has checked its ports, long before nginx is spawned to bind it: on the
    // first line after the port check, so the squatter is always first to the port.
    squatter = createServer((_req, res) => res.writeHead(503).end('not this API'));
    let squatError: Error | undefined;
    squatter.on('error', (err) => (squatError = err));
    const abort = new AbortController();
    let abortedAt = 0;
    let abortScheduled = false;
    const starting = startCluster({
      env: {
        TEMPORAL_ADDRESS: '',
        DATA_DIR: dataDir,
        ...ports,
        VIDEO_AUTOSCALE: 'off',
        LOG_LEVEL: 'warn',
      },
      signal: abort.signal,
      startTimeoutMs: 100_000,
      print: (service, line) => {
        if (service !== 'stack') return;
        if (line.startsWith('TLS certificates ') && !squatter.listening) squatter.listen(api, '127.0.0.1');
        // The object store's line comes last before the app starts and the wait for its API begins.
        if (line.startsWith('object store ') && !abortScheduled) {
          abortScheduled = true;
          setTimeout(() => {
            abortedAt = Date.now();
            abort.abort();
          }, 3_000);
        }
      },
    });
    await assert.rejects(starting, /start-up aborted/);
    const tookMs = Date.now() - abortedAt;
    assert.equal(squatError, undefined, 'the squatter held the API port');
    assert.ok(squatter.listening, 'the squatter held the API port');
    assert.ok(abortedAt > 0, 'the start reached the API wait');
    assert.ok(tookMs < 45_000, `stopped ${tookMs} ms after the abort`);
    assert.deepEqual(stackProcesses(dataDir), [], 'PostgreSQL and every other process stopped');
  });
});
