import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import {
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { CLUSTER_PROFILE, type FaultTarget } from '../../dev/faults/fault-catalog.js';
import type { ChaosKnobs } from '../../dev/provider/chaos.js';
import {
  createDownloadActivities,
  type DownloadProgress,
  type StoredVideo,
} from '../../src/activities/video/download-activities.js';
import { createVideoStore } from '../../src/storage/create-video-store.js';
import { createS3Client } from '../../src/storage/s3-client.js';
import { startTestObjectStore, type TestObjectStore } from '../support/object-store.js';
import { rangeFileHandler, startLocalServer, type LocalServer } from '../workflows/support/file-server.js';

const MiB = 1024 * 1024;
const BUCKET = 'videos-kill';
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The fault suite's `kill -9 object store` at the scale of one upload: the real store
 * (versitygw, started by the cluster profile's code) is killed with SIGKILL once the first part
 * of a video is stored. The download attempt that next uploads fails; once the store is started
 * again, the next attempt — given only the heartbeat — continues the same multipart upload after
 * the kept part. One object, no upload left open, and the fault counts as recovered only once the
 * new store answers.
 */
describe('object store killed mid-upload (kill -9 object store)', function () {
  this.timeout(60_000);
  const content = randomBytes(13 * MiB);
  let store: TestObjectStore;
  let s3: S3Client;
  let files: LocalServer;
  /** Sends the first response's bytes after its first 6 MiB. */
  let sendRest: (() => void) | undefined;

  before(async () => {
    store = await startTestObjectStore({ S3_PART_SIZE: String(5 * MiB), S3_BUCKET: BUCKET });
    s3 = createS3Client(store.config.objectStore);
    files = await startLocalServer(
      rangeFileHandler(content, (res) => {
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(content.length) });
        res.write(content.subarray(0, 6 * MiB));
        sendRest = () => res.end(content.subarray(6 * MiB));
      }),
    );
  });
  after(async () => {
    s3?.destroy();
    await files?.close();
    await store?.stop();
  });

  /** What the fault asked of the provider (here the test's file server stands in for it). */
  const chaos: Array<Partial<ChaosKnobs>> = [];
  const target = (): FaultTarget => ({
    pid: (name) => (name === 'object-store' ? store.pid() : undefined),
    setProviderChaos: async (update) => void chaos.push(update),
    uiUrl: '',
    objectStoreHealthUrl: store.healthUrl,
  });

  it('the upload resumes after the restart from the part stored before the kill: one object, no open upload', async () => {
    const fault = CLUSTER_PROFILE.faults.find((f) => f.name === 'kill -9 object store')!;
    const activities = createDownloadActivities({
      store: createVideoStore(store.config),
      allowedHosts: ['127.0.0.1'],
      allowedAddresses: ['127.0.0.1'],
      allowedPorts: [Number(new URL(files.url).port)],
      maxBytes: 64 * MiB,
      stallTimeoutMs: 15_000,
    });
    const req = { videoId: 'kill-mid-upload', url: `${files.url}/v.mp4`, checksumSha256: sha256(content) };

    // Once a heartbeat names a stored part: kill the store, wait for the process to end, then
    // let the provider send the rest, so the next part goes to a dead store.
    const killThenSendRest = async () => {
      const pid = store.pid();
      await fault.inject(target(), 0);
      for (let i = 0; i < 200 && store.pid() === pid; i++) await sleep(50);
      assert.equal(store.pid(), undefined, 'the store process ended');
      sendRest!();
    };
    const first = new MockActivityEnvironment();
    const beats: DownloadProgress[] = [];
    let killed: Promise<void> | undefined;
    first.on('heartbeat', (d: DownloadProgress) => {
      beats.push(d);
      if (d.offset > 0 && !killed) {
        killed = killThenSendRest();
        killed.catch(() => sendRest?.()); // rethrown by the await below
      }
    });
    const firstError = await first.run(activities.downloadVideo, req).then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(killed, 'the store was killed mid-upload');
    await killed;
    assert.deepEqual(
      chaos,
      [{ fileBytesPerSecond: 16 * 1024 }, { fileBytesPerSecond: 0 }],
      "the provider's files were slowed before the kill, and set free after it",
    );
    assert.ok(firstError, 'the attempt that uploaded to the dead store failed');
    assert.ok(
      !(firstError instanceof ApplicationFailure && firstError.nonRetryable),
      `the failure is retryable: ${String(firstError)}`,
    );
    const checkpoint = beats.at(-1)!;
    assert.equal(checkpoint.offset, 5 * MiB, 'one 5 MiB part was stored before the kill');
    assert.ok(checkpoint.uploadId, 'the heartbeat names the upload');
    assert.equal(await fault.recovered!(target()), false, 'no store runs in its place yet');

    await store.restart();
    assert.equal(await fault.recovered!(target()), true, 'a new store process answers its health URL');

    // The next attempt (Temporal's retry, on any replica): only the heartbeat comes with it.
    const second = new MockActivityEnvironment({ heartbeatDetails: checkpoint });
    const stored = (await second.run(activities.downloadVideo, req)) as StoredVideo;
    assert.equal(files.requests[1]?.range, `bytes=${5 * MiB}-`, 'resumed after the kept part');
    assert.equal(stored.sha256, sha256(content));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    assert.deepEqual(
      listed.Contents?.map((o) => o.Key),
      ['videos/kill-mid-upload.mp4'],
      'exactly one object',
    );
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'videos/kill-mid-upload.mp4' }));
    assert.equal(sha256(await object.Body!.transformToByteArray()), sha256(content));
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    assert.equal(uploads.Uploads?.length ?? 0, 0, 'no upload left open');
  });
});
