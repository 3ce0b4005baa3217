import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createDownloadActivities } from '../../src/activities/video/download-activities.js';
import { systemResolver, type HostResolver } from '../../src/activities/video/download-address.js';
import { createLocalVideoStore } from '../../src/storage/local-video-store.js';
import { createProviderActivities } from '../../src/activities/video/provider-activities.js';
import { ReplicateClient } from '../../src/activities/video/replicate-client.js';
import {
  providerEventSignal,
  QUICK_DOWNLOAD_CEILING_BYTES,
  statusQuery,
  videoWorkflowId,
  type VideoJobInput,
} from '../../src/shared/video-job.js';
import { videoJob } from '../../src/workflows/video-job.js';
import { startLocalServer, rangeFileHandler, type LocalServer } from './support/file-server.js';
import { createVideoTestEnv, jobInput, providerEvent, videoWorker } from './support/video-job-harness.js';

/** The real provider and download activities, against local HTTP servers. */
function realActivities(opts: {
  providerUrl?: string;
  storageDir: string;
  allowedHosts?: string[];
  allowedAddresses?: string[];
  stallTimeoutMs?: number;
  resolve?: HostResolver;
}) {
  return {
    ...createProviderActivities({
      client: new ReplicateClient({ baseUrl: opts.providerUrl ?? 'http://127.0.0.1:9', apiToken: 'r8_test' }),
      modelVersion: 'test/model',
      webhookUrlFor: ({ videoId }) => `http://127.0.0.1:3000/webhooks/replicate?videoId=${videoId}`,
    }),
    ...createDownloadActivities({
      store: createLocalVideoStore(opts.storageDir),
      allowedHosts: opts.allowedHosts ?? ['127.0.0.1'],
      allowedAddresses: opts.allowedAddresses ?? ['127.0.0.1'],
      // Every test server listens on a free port, so the port check is not what these tests hold.
      allowedPorts: Array.from({ length: 65535 }, (_, i) => i + 1),
      maxBytes: 10 * 1024 * 1024,
      stallTimeoutMs: opts.stallTimeoutMs ?? 120_000,
      resolve: opts.resolve,
    }),
  };
}

/** An answer that sends the first half of `content`, then nothing more on an open connection. */
function halfThenSilence(content: Buffer) {
  return (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(content.length) });
    res.write(content.subarray(0, content.length / 2));
  };
}

async function failureOf(handle: WorkflowHandle): Promise<WorkflowFailedError> {
  const err = await handle.result().then(
    () => assert.fail('expected the job to fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowFailedError, `unexpected ${String(err)}`);
  return err;
}

describe('VideoJob workflow: real activities over HTTP', function () {
  let env: TestWorkflowEnvironment;
  let storageDir: string;
  const servers: LocalServer[] = [];
  before(async function () {
    env = await createVideoTestEnv();
  });
  beforeEach(() => {
    storageDir = mkdtempSync(join(tmpdir(), 'floodgate-videos-'));
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    rmSync(storageDir, { recursive: true, force: true });
  });
  after(async () => {
    await env?.teardown();
  });

  async function startJob(taskQueue: string, input: VideoJobInput) {
    return env.client.workflow.start(videoJob, {
      workflowId: videoWorkflowId(input.videoId),
      taskQueue,
      args: [input],
    });
  }

  /** A job whose provider has already said "succeeded" with `downloadUrl`: its download starts at once. */
  async function startSucceededJob(
    taskQueue: string,
    input: VideoJobInput,
    downloadUrl: string,
    event: { sizeBytes?: number } = {},
  ) {
    const handle = await startJob(taskQueue, input);
    await handle.signal(
      providerEventSignal,
      providerEvent(input.videoId, { status: 'succeeded', downloadUrl, ...event }),
    );
    return handle;
  }

  /** How the job's history holds its download: activity tasks scheduled, local-activity markers. */
  async function downloadsIn(handle: WorkflowHandle) {
    const events = (await handle.fetchHistory()).events ?? [];
    return {
      activityTasks: events.filter(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'downloadVideo',
      ).length,
      localActivities: events.filter(
        (e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
      ).length,
    };
  }

  /** One job whose video is `content`, served whole: what its history and the file server saw. */
  async function downloadJob(content: Buffer, input = jobInput()) {
    const files = await startLocalServer(rangeFileHandler(content));
    servers.push(files);
    const worker = await videoWorker(env, realActivities({ storageDir }));
    let downloads: Awaited<ReturnType<typeof downloadsIn>> | undefined;
    await worker.runUntil(async () => {
      const handle = await startSucceededJob(worker.options.taskQueue, input, `${files.url}/v.mp4`);
      assert.equal((await handle.result()).storedBytes, content.length);
      downloads = await downloadsIn(handle);
    });
    assert.deepEqual(readFileSync(join(storageDir, `${input.videoId}.mp4`)), content);
    return { ...downloads, requests: files.requests.length };
  }

  it('downloads a small video inside the workflow task that took its terminal event', async () => {
    assert.deepEqual(await downloadJob(randomBytes(64 * 1024)), {
      activityTasks: 0,
      localActivities: 1,
      requests: 1,
    });
  });

  it('downloads every video as an activity task when the bound is 0 (DOWNLOAD_IN_TASK_MAX_BYTES)', async () => {
    assert.deepEqual(await downloadJob(randomBytes(64 * 1024), jobInput({ downloadInTaskMaxBytes: 0 })), {
      activityTasks: 1,
      localActivities: 0,
      requests: 1,
    });
  });

  it('hands a video of unknown size over the bound to an activity task after one request', async () => {
    // The quick attempt read the declared length and stopped; the activity task fetched it whole.
    assert.deepEqual(await downloadJob(randomBytes(QUICK_DOWNLOAD_CEILING_BYTES + 1)), {
      activityTasks: 1,
      localActivities: 1,
      requests: 2,
    });
  });

  it('resumes a download with a Range request from the heartbeated offset after the first attempt hangs and dies', async () => {
    // Announced over the workflow task's bound, so it is an activity task from the start.
    const content = randomBytes(QUICK_DOWNLOAD_CEILING_BYTES + 512 * 1024);
    // First attempt: half the file, then silence on an open connection (a hung transfer).
    const files = await startLocalServer(rangeFileHandler(content, halfThenSilence(content)));
    servers.push(files);
    const worker = await videoWorker(env, realActivities({ storageDir, stallTimeoutMs: 300 }));
    const input = jobInput();
    await worker.runUntil(async () => {
      const handle = await startSucceededJob(worker.options.taskQueue, input, `${files.url}/out.mp4`, {
        sizeBytes: content.length,
      });
      const result = await handle.result();
      assert.equal(result.storedBytes, content.length);
      assert.deepEqual(await downloadsIn(handle), { activityTasks: 1, localActivities: 0 });
    });
    assert.equal(files.requests.length, 2);
    assert.equal(files.requests[0]!.range, undefined);
    const resumedFrom = Number(/^bytes=(\d+)-$/.exec(files.requests[1]!.range ?? '')?.[1]);
    assert.ok(
      resumedFrom > 0 && resumedFrom <= content.length / 2,
      `second attempt asked for ${files.requests[1]!.range}`,
    );
    const stored = readFileSync(join(storageDir, `${input.videoId}.mp4`));
    assert.equal(
      createHash('sha256').update(stored).digest('hex'),
      createHash('sha256').update(content).digest('hex'),
    );
    assert.deepEqual(readdirSync(storageDir), [`${input.videoId}.mp4`], 'no partial file left behind');
  });

  it('a download that gives up leaves no partial file behind', async () => {
    const content = randomBytes(256 * 1024);
    // Every attempt: half the file, then silence, so each keeps bytes for the next.
    const hang = halfThenSilence(content);
    const files = await startLocalServer((_req, res) => hang(res));
    servers.push(files);
    const worker = await videoWorker(env, realActivities({ storageDir, stallTimeoutMs: 200 }));
    const input = jobInput();
    await worker.runUntil(async () => {
      const handle = await startSucceededJob(worker.options.taskQueue, input, `${files.url}/v.mp4`);
      const err = await failureOf(handle);
      assert.match(String(err.cause?.message), /^download failed: /);
      assert.equal((await handle.query(statusQuery)).status, 'failed');
    });
    // Three quick attempts inside the workflow task, then the activity task's ten.
    assert.equal(files.requests.length, 13, 'every attempt of both retry policies was made');
    assert.deepEqual(readdirSync(storageDir), [], 'the partial file went with the job');
  });

  it('ends failed with the reason when the provider rejects the submission with a 4xx', async () => {
    const provider = await startLocalServer((_req, res) => {
      res.writeHead(422, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail: 'input.prompt is required' }));
    });
    servers.push(provider);
    const worker = await videoWorker(env, realActivities({ providerUrl: provider.url, storageDir }));
    const input = jobInput({ submit: true });
    await worker.runUntil(async () => {
      const handle = await startJob(worker.options.taskQueue, input);
      const err = await failureOf(handle);
      assert.match(
        String(err.cause?.message),
        /submit to provider failed: .*HTTP 422 input\.prompt is required/,
      );
      assert.equal((await handle.query(statusQuery)).status, 'failed');
    });
    assert.equal(provider.requests.length, 1, 'a permanent 4xx is not retried');
  });

  it('fails a job whose download URL is off the allow-list without fetching it', async () => {
    const files = await startLocalServer(rangeFileHandler(Buffer.from('video')));
    servers.push(files);
    const worker = await videoWorker(env, realActivities({ storageDir, allowedHosts: ['cdn.example.com'] }));
    const input = jobInput();
    await worker.runUntil(async () => {
      const handle = await startSucceededJob(worker.options.taskQueue, input, `${files.url}/evil.mp4`);
      const err = await failureOf(handle);
      assert.match(
        String(err.cause?.message),
        /download failed: download host 127\.0\.0\.1 is not on the allow-list/,
      );
    });
    assert.equal(files.requests.length, 0);
  });

  it('fails a job whose download host resolves to a refused address, on the first attempt, without connecting', async () => {
    const files = await startLocalServer(rangeFileHandler(Buffer.from('video')));
    servers.push(files);
    const port = new URL(files.url).port;
    let lookups = 0;
    const resolve: HostResolver = (host) => {
      lookups += 1;
      return systemResolver(host);
    };
    const worker = await videoWorker(
      env,
      realActivities({ storageDir, allowedHosts: ['localhost'], allowedAddresses: [], resolve }),
    );
    const input = jobInput();
    await worker.runUntil(async () => {
      const handle = await startSucceededJob(
        worker.options.taskQueue,
        input,
        `http://localhost:${port}/v.mp4`,
      );
      const err = await failureOf(handle);
      assert.match(
        String(err.cause?.message),
        /download failed: download host localhost resolves to (127\.0\.0\.1|::1), which is not allowed/,
      );
      assert.equal((await handle.query(statusQuery)).status, 'failed');
    });
    assert.equal(files.requests.length, 0);
    assert.equal(lookups, 1, 'a refusal is not retried, nor handed to an activity task');
  });

  it('retries transient 5xx on the file and stores it once', async () => {
    const content = randomBytes(4096);
    let failures = 2;
    const files = await startLocalServer((req, res, index) => {
      if (failures-- > 0) {
        res.writeHead(503).end();
        return;
      }
      rangeFileHandler(content)(req, res, index);
    });
    servers.push(files);
    const worker = await videoWorker(env, realActivities({ storageDir }));
    const input = jobInput();
    await worker.runUntil(async () => {
      const handle = await startSucceededJob(worker.options.taskQueue, input, `${files.url}/v.mp4`);
      assert.equal((await handle.result()).storedBytes, content.length);
    });
    assert.equal(files.requests.length, 3);
    assert.deepEqual(readFileSync(join(storageDir, `${input.videoId}.mp4`)), content);
  });
});
