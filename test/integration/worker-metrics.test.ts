import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { videoWebhookUrl } from '../../src/api/webhooks/video-webhook-url.js';
import type { VideoJobResult } from '../../src/shared/video-job.js';
import { freePort } from '../support/free-port.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/**
 * A real video worker process, started as `npm start` starts it, serves the Temporal SDK's own
 * Prometheus metrics on its lane's port: slots in use and schedule-to-start latency, labelled
 * with the task queue, once it has done some work.
 */
describe('worker metrics: a lane worker process exports the SDK metrics', function () {
  this.timeout(120_000);
  const root = new URL('../../', import.meta.url).pathname;
  let stack: TestStack;
  let child: ChildProcess | undefined;
  let metricsUrl: string;
  let workerErr = '';

  before(async () => {
    stack = await startTestStack({ lanes: ['urgent'] });
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/workers/video.ts')], {
      env: { ...process.env, ...stack.env, VIDEO_WORKER_METRICS_PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (chunk: Buffer) => (workerErr = (workerErr + chunk.toString()).slice(-4_000)));
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(`video worker stderr (tail):\n${workerErr}`);
  });
  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    await stack?.stop();
  });

  it('serves slots in use and schedule-to-start latency for the video task queue', async () => {
    const res = await stack.api('/videos', { method: 'POST', json: { tenantId: 'metrics', plan: 'paid' } });
    assert.equal(res.status, 202);
    const { workflowId } = (await res.json()) as { workflowId: string };
    const result = (await stack.client.workflow.getHandle(workflowId).result()) as VideoJobResult;
    assert.equal(result.status, 'completed');

    const scrape = await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) });
    assert.equal(scrape.status, 200);
    const text = await scrape.text();
    const samples = text.split('\n').filter((l) => l && !l.startsWith('#'));
    const has = (name: string, ...labels: string[]) =>
      samples.some((l) => l.startsWith(name) && labels.every((label) => l.includes(label)));
    const video = 'task_queue="video"';
    assert.ok(
      has('temporal_worker_task_slots_used', video, 'worker_type="ActivityWorker"'),
      'activity slots in use, per task queue',
    );
    assert.ok(
      has('temporal_worker_task_slots_available', video, 'worker_type="WorkflowWorker"'),
      'workflow slots available, per task queue',
    );
    assert.ok(has('temporal_activity_schedule_to_start_latency', video), 'activity schedule-to-start');
    assert.ok(
      has('temporal_workflow_task_schedule_to_start_latency', video),
      'workflow task schedule-to-start',
    );
  });

  it("counts a job's events of another prediction in the worker's own metric", async () => {
    const videoId = `metrics-foreign-${Date.now()}`;
    const url = videoWebhookUrl(stack.apiUrl, stack.config.webhooks.urlTokenKeys, videoId, 'metrics');
    const signer = new Webhook(stack.config.webhooks.replicateSecrets[0]!);
    const post = (prediction: string, msgId: string) => {
      const body = JSON.stringify({ id: prediction, status: 'processing', output: null, error: null });
      const now = new Date();
      return fetch(url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'webhook-id': msgId,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': signer.sign(msgId, now, body),
        },
      });
    };
    assert.equal((await post(`pred-${videoId}`, `msg_${videoId}_own`)).status, 202);
    assert.equal((await post('pred-other', `msg_${videoId}_other`)).status, 202);
    const deadline = Date.now() + 30_000;
    let line: string | undefined;
    while (!line && Date.now() < deadline) {
      // The worker process may still be starting its exporter when this test runs alone.
      const text = await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) }).then(
        (r) => r.text(),
        () => '',
      );
      line = text.split('\n').find((l) => l.includes('floodgate_video_foreign_events') && !l.startsWith('#'));
      if (!line) await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(line, 'floodgate_video_foreign_events is exported');
    assert.ok(Number(line.split(' ').at(-1)) >= 1, line);
  });
});
