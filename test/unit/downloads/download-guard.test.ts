import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createDownloadActivities } from '../../../src/activities/video/download-activities.js';
import { createLocalVideoStore } from '../../../src/storage/local-video-store.js';

describe('download activity guards', () => {
  let server: Server;
  let url: string;
  let requests = 0;
  let port = 0;
  let storageDir: string;
  before(async () => {
    server = createServer((_req, res) => {
      requests += 1;
      res.end('not a video');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : 0;
    url = `http://127.0.0.1:${port}`;
    storageDir = mkdtempSync(join(tmpdir(), 'floodgate-guard-'));
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(storageDir, { recursive: true, force: true });
  });

  async function refusal(req: { videoId: string; url: string }, allowedHosts = ['cdn.example.com']) {
    const { downloadVideo } = createDownloadActivities({
      store: createLocalVideoStore(storageDir),
      allowedHosts,
      allowedAddresses: ['127.0.0.1'],
      allowedPorts: [port],
      maxBytes: 1024,
    });
    const err = await new MockActivityEnvironment().run(downloadVideo, req).then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.equal(err.nonRetryable, true);
    return err;
  }

  it('refuses a host off the allow-list without fetching it', async () => {
    const err = await refusal({ videoId: 'v1', url: `${url}/x.mp4` });
    assert.equal(err.type, 'DownloadNotAllowed');
    assert.match(err.message, /127\.0\.0\.1 is not on the allow-list/);
    assert.equal(requests, 0);
  });

  it('refuses non-http schemes and URLs with credentials', async () => {
    assert.equal(
      (await refusal({ videoId: 'v1', url: 'file:///etc/passwd' }, ['127.0.0.1', ''])).type,
      'DownloadNotAllowed',
    );
    const withCreds = url.replace('http://', 'http://user:pw@');
    assert.equal(
      (await refusal({ videoId: 'v1', url: withCreds }, ['127.0.0.1'])).type,
      'DownloadNotAllowed',
    );
    assert.equal(requests, 0);
  });

  it('refuses an id that is not a safe file name before touching the disk or network', async () => {
    const err = await refusal({ videoId: '../escape', url: `${url}/x.mp4` }, ['127.0.0.1']);
    assert.equal(err.type, 'InvalidVideoId');
    assert.equal(requests, 0);
    assert.deepEqual(readdirSync(storageDir), []);
  });

  it('refuses a file larger than the limit as a permanent failure', async () => {
    const { downloadVideo } = createDownloadActivities({
      store: createLocalVideoStore(storageDir),
      allowedHosts: ['127.0.0.1'],
      allowedAddresses: ['127.0.0.1'],
      allowedPorts: [port],
      maxBytes: 4,
    });
    const err = await new MockActivityEnvironment()
      .run(downloadVideo, { videoId: 'big', url: `${url}/x.mp4` })
      .catch((e: unknown) => e);
    assert.ok(err instanceof ApplicationFailure);
    assert.equal(err.type, 'DownloadTooLarge');
    assert.ok(!readdirSync(storageDir).includes('big.mp4'));
  });
});
