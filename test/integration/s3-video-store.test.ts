import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  createDownloadActivities,
  type DownloadProgress,
  type DownloadRequest,
  type StoredVideo,
} from '../../src/activities/video/download-activities.js';
import { createVideoStore } from '../../src/storage/create-video-store.js';
import { createS3Client } from '../../src/storage/s3-client.js';
import { startTestObjectStore, type TestObjectStore } from '../support/object-store.js';
import { rangeFileHandler, startLocalServer, type LocalServer } from '../workflows/support/file-server.js';

const MiB = 1024 * 1024;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * The S3 video store against a real S3 server (the cluster profile's versitygw): the download
 * activity streams a file into a multipart upload (one PutObject when it is smaller than a part), the checksum is checked before the object is
 * kept, and an attempt that dies mid-transfer is continued by the next from its heartbeat,
 * fetching only the bytes after the parts already stored.
 */
describe('S3 video store (real object store)', function () {
  this.timeout(60_000);
  let store: TestObjectStore;
  let s3: S3Client;
  const servers: LocalServer[] = [];

  before(async () => {
    store = await startTestObjectStore({ S3_PART_SIZE: String(5 * MiB), S3_BUCKET: 'videos-test' });
    s3 = createS3Client(store.config.objectStore);
  });
  after(async () => {
    s3?.destroy();
    await Promise.all(servers.map((s) => s.close()));
    await store?.stop();
  });

  function activities() {
    return createDownloadActivities({
      store: createVideoStore(store.config),
      allowedHosts: ['127.0.0.1'],
      allowedAddresses: ['127.0.0.1'],
      allowedPorts: servers.map((s) => Number(new URL(s.url).port)),
      maxBytes: 64 * MiB,
      // Long enough for a loaded machine, short enough for the hung transfers below.
      stallTimeoutMs: 1_500,
    });
  }

  async function serve(content: Buffer, first?: Parameters<typeof rangeFileHandler>[1]) {
    const server = await startLocalServer(rangeFileHandler(content, first));
    servers.push(server);
    return server;
  }

  async function object(key: string): Promise<Buffer | undefined> {
    const { bucket } = store.config.objectStore;
    try {
      const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await res.Body!.transformToByteArray());
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  async function openUploads(key: string): Promise<number> {
    const res = await s3.send(
      new ListMultipartUploadsCommand({ Bucket: store.config.objectStore.bucket, Prefix: key }),
    );
    return res.Uploads?.length ?? 0;
  }

  /** One attempt in a mock activity context; its heartbeats are collected. */
  async function attempt(req: DownloadRequest, heartbeatDetails?: DownloadProgress, attemptNumber = 1) {
    const env = new MockActivityEnvironment({
      attempt: attemptNumber,
      ...(heartbeatDetails ? { heartbeatDetails } : {}),
    });
    const beats: DownloadProgress[] = [];
    env.on('heartbeat', (d: DownloadProgress) => beats.push(d));
    let stored: StoredVideo | undefined;
    let error: unknown;
    try {
      stored = (await env.run(activities().downloadVideo, req)) as StoredVideo;
    } catch (err) {
      error = err;
    }
    return { stored, error, beats };
  }

  /** One attempt that downloads and stores `content` whole; it must succeed. */
  async function storeWhole(videoId: string, content: Buffer) {
    const files = await serve(content);
    const { stored, error, beats } = await attempt({
      videoId,
      url: `${files.url}/v.mp4`,
      expectedBytes: content.length,
      checksumSha256: sha256(content),
    });
    assert.equal(error, undefined, String(error));
    assert.deepEqual(stored, {
      storedPath: `s3://videos-test/videos/${videoId}.mp4`,
      bytes: content.length,
      sha256: sha256(content),
    });
    return { files, stored, beats };
  }

  it('stores a video as a multipart upload, checksum verified, and names it s3://bucket/key', async () => {
    const content = randomBytes(12 * MiB + 123);
    const { files, stored } = await storeWhole('s3-multipart', content);
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: 'videos-test', Key: 'videos/s3-multipart.mp4' }),
    );
    assert.match(head.ETag ?? '', /-3"$/, 'three parts (5 + 5 + 2 MiB)');
    assert.equal(sha256((await object('videos/s3-multipart.mp4'))!), sha256(content));
    assert.equal(await openUploads('videos/s3-multipart.mp4'), 0, 'no upload left open');

    // A re-run finds the stored object and fetches nothing.
    const again = await attempt({
      videoId: 's3-multipart',
      url: `${files.url}/v.mp4`,
      checksumSha256: sha256(content),
    });
    assert.deepEqual(again.stored, stored);
    assert.equal(files.requests.length, 1);
  });

  it('stores a video smaller than one part with a single PutObject that carries its SHA-256', async () => {
    const content = randomBytes(64 * 1024 + 7);
    const { beats } = await storeWhole('s3-small', content);
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: 'videos-test', Key: 'videos/s3-small.mp4', ChecksumMode: 'ENABLED' }),
    );
    assert.doesNotMatch(head.ETag ?? '', /-\d+"$/, 'one PutObject, not a multipart upload');
    assert.equal(
      head.ChecksumSHA256,
      createHash('sha256').update(content).digest('base64'),
      'the server stored (and checked) the checksum it was sent',
    );
    assert.ok(beats.length > 0 && beats.every((b) => b.uploadId === undefined), 'no upload was opened');
    assert.equal(sha256((await object('videos/s3-small.mp4'))!), sha256(content));
  });

  it('keeps no object when a video smaller than one part does not match its checksum', async () => {
    const content = randomBytes(64 * 1024);
    const files = await serve(content);
    const { error } = await attempt({
      videoId: 's3-small-bad-checksum',
      url: `${files.url}/v.mp4`,
      checksumSha256: sha256(Buffer.from('another file')),
    });
    assert.equal(
      (error as ApplicationFailure | undefined)?.type,
      'ChecksumMismatch',
      `the attempt must fail, got ${String(error)}`,
    );
    assert.equal(await object('videos/s3-small-bad-checksum.mp4'), undefined);
    assert.equal(await openUploads('videos/s3-small-bad-checksum.mp4'), 0);
  });

  it('keeps no object when the checksum does not match, and retries', async () => {
    const content = randomBytes(6 * MiB);
    const files = await serve(content);
    const { error } = await attempt({
      videoId: 's3-bad-checksum',
      url: `${files.url}/v.mp4`,
      checksumSha256: sha256(Buffer.from('another file')),
    });
    assert.ok(error instanceof ApplicationFailure, String(error));
    assert.equal(error.type, 'ChecksumMismatch');
    assert.equal(error.nonRetryable, false);
    assert.equal(await object('videos/s3-bad-checksum.mp4'), undefined);
    assert.equal(await openUploads('videos/s3-bad-checksum.mp4'), 0, 'the upload was aborted');
  });

  it('resumes an interrupted upload from its heartbeat without downloading the stored parts again', async () => {
    const content = randomBytes(13 * MiB);
    const cut = 11 * MiB;
    let served = 0;
    const files = await serve(content, (res) => {
      // First attempt: 11 MiB, then silence on an open connection (the worker's transfer dies).
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(content.length) });
      res.write(content.subarray(0, cut));
      served += cut;
    });
    const req = { videoId: 's3-resume', url: `${files.url}/v.mp4`, checksumSha256: sha256(content) };
    const first = await attempt(req);
    assert.ok(first.error, 'the first attempt dies');
    const checkpoint = first.beats.at(-1)!;
    assert.equal(checkpoint.offset, 10 * MiB, 'two 5 MiB parts stored');
    assert.ok(checkpoint.uploadId);
    assert.equal(await object('videos/s3-resume.mp4'), undefined, 'nothing visible before it is complete');

    // The next attempt (any machine): only the upload id and offset come with it.
    const second = await attempt(req, checkpoint);
    assert.equal(second.error, undefined, String(second.error));
    assert.equal(files.requests[1]!.range, `bytes=${10 * MiB}-`);
    served += content.length - 10 * MiB;
    assert.ok(served < content.length * 1.25, `fetched ${served} bytes for a ${content.length} byte file`);
    assert.equal(second.stored?.sha256, sha256(content));
    assert.equal(sha256((await object('videos/s3-resume.mp4'))!), sha256(content));
    assert.equal(await openUploads('videos/s3-resume.mp4'), 0);
  });

  it('drops a resumed upload whose whole file does not match the checksum', async () => {
    const content = randomBytes(11 * MiB);
    const files = await serve(content, (res) => {
      res.writeHead(200, { 'content-length': String(content.length) });
      res.write(content.subarray(0, 6 * MiB));
    });
    const req = {
      videoId: 's3-resume-bad',
      url: `${files.url}/v.mp4`,
      checksumSha256: sha256(Buffer.from('x')),
    };
    const first = await attempt(req);
    assert.equal(first.beats.at(-1)?.offset, 5 * MiB);
    const second = await attempt(req, first.beats.at(-1));
    assert.equal((second.error as ApplicationFailure | undefined)?.type, 'ChecksumMismatch');
    assert.equal(await object('videos/s3-resume-bad.mp4'), undefined);
  });

  /** A first attempt that stores one 5 MiB part and dies: its upload stays open for a retry. */
  async function diedWithOnePart(videoId: string, content: Buffer) {
    const files = await serve(content, (res) => {
      res.writeHead(200, { 'content-length': String(content.length) });
      res.write(content.subarray(0, 6 * MiB));
    });
    const req = { videoId, url: `${files.url}/v.mp4`, checksumSha256: sha256(content) };
    const first = await attempt(req);
    assert.ok(first.error, 'the first attempt dies');
    assert.equal(await openUploads(`videos/${videoId}.mp4`), 1, 'its upload is open');
    return req;
  }

  it("drops the open upload of a download that gave up, and no other video's", async () => {
    await diedWithOnePart('s3-gave-up', randomBytes(7 * MiB));
    await diedWithOnePart('s3-still-trying', randomBytes(7 * MiB));
    const dropped = await new MockActivityEnvironment().run(activities().discardPartialVideo, {
      videoId: 's3-gave-up',
    });
    assert.equal(dropped, 1);
    assert.equal(await openUploads('videos/s3-gave-up.mp4'), 0, 'the upload was aborted');
    assert.equal(await openUploads('videos/s3-still-trying.mp4'), 1, "another video's upload stays");
    assert.equal(await object('videos/s3-gave-up.mp4'), undefined);
  });

  it('a retry that starts over drops the upload an attempt left without a heartbeat', async () => {
    const content = randomBytes(7 * MiB);
    const req = await diedWithOnePart('s3-lost-heartbeat', content);
    // The upload id never reached the server: the next attempt has no checkpoint and begins
    // another upload from byte 0.
    const second = await attempt(req, undefined, 2);
    assert.equal(second.error, undefined, String(second.error));
    assert.equal(sha256((await object('videos/s3-lost-heartbeat.mp4'))!), sha256(content));
    assert.equal(await openUploads('videos/s3-lost-heartbeat.mp4'), 0, "the first attempt's upload is gone");
  });
});
