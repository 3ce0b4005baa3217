import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import {
  createDownloadActivities,
  type DownloadProgress,
  type StoredVideo,
} from '../../../src/activities/video/download-activities.js';
import { createLocalVideoStore } from '../../../src/storage/local-video-store.js';
import { rangeFileHandler, startLocalServer, type LocalServer } from '../../workflows/support/file-server.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * A retried download whose heartbeat checkpoint promises more bytes than the local `.part` file
 * holds (the attempt wrote less than it reported, or the file came from another machine): the
 * attempt resumes from the bytes really stored, over real HTTP with a Range request, and the
 * stored video is the provider's file, checksum verified.
 */
describe('download resume with a partial file shorter than the checkpoint (local store)', () => {
  let dir: string;
  let files: LocalServer;
  const content = randomBytes(64 * 1024);
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'floodgate-short-partial-'));
    files = await startLocalServer(rangeFileHandler(content));
  });
  after(async () => {
    await files?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resumes from the stored bytes, not the checkpoint, and stores the intact file', async () => {
    const storageDir = join(dir, 'videos');
    mkdirSync(storageDir, { recursive: true });
    const stored = 10_000;
    writeFileSync(join(storageDir, 'short-partial.mp4.part'), content.subarray(0, stored));
    const checkpoint: DownloadProgress = { offset: 40_000 };

    const { downloadVideo } = createDownloadActivities({
      store: createLocalVideoStore(storageDir),
      allowedHosts: ['127.0.0.1'],
      allowedAddresses: ['127.0.0.1'],
      allowedPorts: [Number(new URL(files.url).port)],
      maxBytes: 1024 * 1024,
    });
    const env = new MockActivityEnvironment(
      { heartbeatDetails: checkpoint, attempt: 2 },
      { logger: new DefaultLogger('ERROR') },
    );
    const result = (await env.run(downloadVideo, {
      videoId: 'short-partial',
      url: `${files.url}/v.mp4`,
      expectedBytes: content.length,
      checksumSha256: sha256(content),
    })) as StoredVideo;

    assert.deepEqual(
      files.requests.map((r) => r.range),
      [`bytes=${stored}-`],
      'one request, from the first byte not stored',
    );
    assert.equal(result.bytes, content.length);
    assert.equal(result.sha256, sha256(content));
    assert.equal(sha256(readFileSync(join(storageDir, 'short-partial.mp4'))), sha256(content));
    assert.deepEqual(readdirSync(storageDir), ['short-partial.mp4'], 'no partial file left');
  });
});
