import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { Webhook } from 'standardwebhooks';
import type { createDownloadActivities } from '../../src/activities/video/download-activities.js';
import type { createProviderActivities } from '../../src/activities/video/provider-activities.js';
import { DEV_DEFAULTS } from '../../src/config.js';
import { videoWorkflowId } from '../../src/shared/video-job.js';
import { counterValue, startApp, webhookPath, type RunningApp } from '../unit/webhooks/app-harness.js';
import { createVideoTestEnv, videoWorker, withQuickDownload } from './support/video-job-harness.js';

type VideoActivities = ReturnType<typeof createProviderActivities> &
  ReturnType<typeof createDownloadActivities>;

describe('VideoJob through the HTTP API (time-skipping Temporal)', function () {
  let env: TestWorkflowEnvironment;
  let app: RunningApp;
  let worker: Worker;
  let running: Promise<void>;
  const polls: string[] = [];
  const submitted: string[] = [];

  before(async function () {
    env = await createVideoTestEnv();
    app = await startApp({ client: env.client, env: { WEBHOOK_ACK_DEADLINE: '5s' } });
    const activities: Omit<VideoActivities, 'downloadSmallVideo'> = {
      async submitVideoJob({ videoId }) {
        submitted.push(videoId);
        return { providerJobId: 'pred-submitted', status: 'starting' };
      },
      async getVideoJobStatus({ providerJobId }) {
        polls.push(providerJobId);
        return { providerJobId, status: 'succeeded', downloadUrl: 'https://cdn.example/retry.mp4' };
      },
      async downloadVideo(req) {
        return { storedPath: `/videos/${req.videoId}.mp4`, bytes: 1, sha256: '00' };
      },
      async discardPartialVideo() {
        return 0;
      },
    };
    worker = await videoWorker(env, withQuickDownload(activities), { taskQueue: 'video' });
    running = worker.run();
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await app?.close();
    await env?.teardown();
  });

  async function webhook(
    videoId: string,
    prediction: Record<string, unknown>,
    msgId = `msg_${randomUUID()}`,
  ) {
    const body = JSON.stringify({ id: `pred-${videoId}`, output: null, error: null, ...prediction });
    const now = new Date();
    const res = await fetch(`${app.url}${webhookPath(app, videoId)}`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': msgId,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new Webhook(DEV_DEFAULTS.replicateSecret).sign(msgId, now, body),
      },
    });
    return { status: res.status, body: (await res.json()) as { result?: string } };
  }

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${app.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${DEV_DEFAULTS.apiKey}`, 'content-type': 'application/json' },
    });

  it('adopts an unknown video, answers a redelivery as duplicate, and a late event as late without re-opening', async () => {
    const videoId = `adopt-${randomUUID()}`;
    const first = await webhook(videoId, { status: 'processing' }, 'msg_first');
    assert.deepEqual([first.status, first.body.result], [202, 'accepted']);
    const again = await webhook(videoId, { status: 'processing' }, 'msg_first');
    assert.deepEqual([again.status, again.body.result], [200, 'duplicate']);
    const done = await webhook(videoId, { status: 'succeeded', output: ['https://cdn.example/v.mp4'] });
    assert.equal(done.status, 202);

    const handle = env.client.workflow.getHandle(videoWorkflowId(videoId));
    await handle.result();
    const late = await webhook(videoId, { status: 'processing' });
    assert.deepEqual([late.status, late.body.result], [200, 'late']);
    assert.equal((await handle.describe()).status.name, 'COMPLETED', 'the closed job was not re-opened');
    assert.equal(await counterValue(app.metrics, { source: 'replicate', outcome: 'late' }), 1);

    const res = await api(`/videos/${videoId}`);
    assert.equal(res.status, 200);
    const view = (await res.json()) as {
      runStatus: string;
      tenantId: string;
      state: { status: string; eventsSeen: number };
    };
    assert.equal(view.runStatus, 'COMPLETED');
    assert.equal(view.tenantId, 'acme');
    assert.equal(view.state.status, 'completed');
    assert.equal(view.state.eventsSeen, 2);
    // Adopted, not submitted: the provider already has the prediction the webhook is about.
    assert.ok(!submitted.includes(videoId), 'an adopted video was submitted again');
  });

  it('re-runs a failed job with POST /videos/:id/retry, and refuses to retry one that is not failed', async () => {
    const videoId = `fail-${randomUUID()}`;
    await webhook(videoId, { status: 'succeeded', output: 'https://cdn.example/first.mp4' });
    const handle = env.client.workflow.getHandle(videoWorkflowId(videoId));
    await handle.result();
    const notFailed = await api(`/videos/${videoId}/retry`, { method: 'POST' });
    assert.equal(notFailed.status, 409);

    const failedId = `fail-${randomUUID()}`;
    await webhook(failedId, { status: 'failed', error: 'NSFW content detected' });
    const failed = env.client.workflow.getHandle(videoWorkflowId(failedId));
    await assert.rejects(
      failed.result(),
      (err: unknown) =>
        err instanceof WorkflowFailedError && /NSFW content detected/.test(String(err.cause?.message)),
    );
    assert.equal((await failed.describe()).status.name, 'FAILED');

    const retry = await api(`/videos/${failedId}/retry`, { method: 'POST' });
    assert.equal(retry.status, 202);
    const { runId } = (await retry.json()) as { runId: string };
    const second = env.client.workflow.getHandle(videoWorkflowId(failedId), runId);
    // The provider is asked again after the reconcile delay (skipped here), and this time it has the video.
    assert.equal((await second.result()).status, 'completed');
    assert.ok(polls.includes(`pred-${failedId}`));
  });

  it('404 for a video that does not exist, 400 for an id that could not be one', async () => {
    assert.equal((await api('/videos/nope-nothing-here')).status, 404);
    assert.equal((await api('/videos/bad.id')).status, 400);
    assert.equal((await fetch(`${app.url}/videos/x`)).status, 401);
  });
});
