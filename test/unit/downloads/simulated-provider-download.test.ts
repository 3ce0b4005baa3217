import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { startSimulatedProvider, type SimulatedProvider } from '../../../dev/provider/simulated-provider.js';
import type { StoredVideo } from '../../../src/activities/video/download-activities.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { buildVideoActivities } from '../../../src/workers/video-activities.js';

/**
 * The settings' development defaults against the local stack's simulated provider, through the
 * worker's own wiring: loopback and the provider's port are allowed out of the box, and
 * `DOWNLOAD_ALLOWED_ADDRESSES=none` (what the production configs set) refuses it.
 */
describe('downloads from the simulated provider with the default settings', () => {
  let sim: SimulatedProvider;
  let hooks: Server;
  let dataDir: string;
  let outputUrl = '';
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'floodgate-sim-download-'));
    hooks = createServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
    const hooksPort = (hooks.address() as { port: number }).port;
    const config = loadConfig({ NODE_ENV: 'test' });
    sim = await startSimulatedProvider({
      port: 0,
      apiToken: config.provider.apiToken,
      webhookSecret: config.webhooks.replicateSecrets[0]!,
      timing: { startingMs: [0, 0], processingMs: [0, 0] },
    });
    const [id] = sim.adopt([`http://127.0.0.1:${hooksPort}/hook`]);
    // The prediction succeeds on zero-delay timers: ask until it says so (bounded).
    for (let i = 0; i < 100 && !outputUrl; i += 1) {
      const res = await fetch(`${sim.url}/v1/predictions/${id}`, {
        headers: { authorization: `Bearer ${config.provider.apiToken}` },
      });
      const body = (await res.json()) as { status: string; output: string | null };
      if (body.status === 'succeeded' && body.output) outputUrl = body.output;
      else await new Promise((r) => setImmediate(r));
    }
    assert.ok(outputUrl, 'the simulated prediction succeeded');
  });
  after(async () => {
    await sim.stop();
    hooks.closeAllConnections();
    await new Promise<void>((resolve) => hooks.close(() => resolve()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  function download(env: Record<string, string>, videoId: string): Promise<StoredVideo> {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      PROVIDER_SIM_PORT: String(sim.port),
      ...env,
    });
    const { downloadVideo } = buildVideoActivities(config, createLogger('test', 'silent'));
    return new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') }).run(downloadVideo, {
      videoId,
      url: outputUrl,
    });
  }

  it('downloads with the development defaults', async () => {
    const stored = await download({}, 'sim-default');
    assert.equal(stored.bytes, 64 * 1024);
  });

  it('refuses it when loopback is not allowed', async () => {
    const err = await download({ DOWNLOAD_ALLOWED_ADDRESSES: 'none' }, 'sim-none').catch((e: unknown) => e);
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.equal(err.type, 'DownloadNotAllowed');
    assert.match(err.message, /download address 127\.0\.0\.1 is not allowed \(DOWNLOAD_ALLOWED_ADDRESSES\)/);
  });

  it('refuses it when the provider port is not allowed', async () => {
    const err = await download({ DOWNLOAD_ALLOWED_PORTS: '443' }, 'sim-port').catch((e: unknown) => e);
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.match(err.message, new RegExp(`download port ${sim.port} is not allowed`));
  });
});
