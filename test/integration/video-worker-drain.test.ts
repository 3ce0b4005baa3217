import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { VideoJobResult } from '../../src/shared/video-job.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A video worker process stopped with SIGTERM (what the autoscaler and the supervisor send)
 * while it downloads: it finishes the download in that same attempt, reports it, and exits 0.
 * Nothing is abandoned to the heartbeat timeout and nothing is fetched a second time.
 */
describe('video worker drains in-flight work on SIGTERM', function () {
  this.timeout(180_000);
  const root = new URL('../../', import.meta.url).pathname;
  let stack: TestStack;
  let child: ChildProcess | undefined;

  before(async () => {
    stack = await startTestStack({ lanes: ['urgent'] });
    // 64 KiB at 16 KiB/s: a 4 s download, so SIGTERM lands in the middle of it.
    stack.provider!.setChaos({ fileBytesPerSecond: 16 * 1024 });
  });
  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await stack?.stop();
  });

  it('finishes the running download in the same attempt, then exits 0', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/workers/video.ts')], {
      env: { ...process.env, ...stack.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // Kept for the failure message only: the SDK logs every state change there.
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child!.once('exit', (code, signal) => resolve([code, signal])),
    );
    const res = await stack.api('/videos', {
      method: 'POST',
      json: { tenantId: 'drain-test', plan: 'paid' },
    });
    assert.equal(res.status, 202);
    const { videoId, workflowId } = (await res.json()) as { videoId: string; workflowId: string };

    for (let i = 0; i < 480 && stack.provider!.stats().routes.fileRequests === 0; i++) await sleep(250);
    assert.ok(stack.provider!.stats().routes.fileRequests > 0, 'the download never started');
    child.kill('SIGTERM');
    assert.deepEqual(await exited, [0, null], `the worker exits 0 after draining; its stderr:\n${stderr}`);

    // Before any other worker runs: the stopped one reported the download done, in its first attempt.
    const events = (await stack.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const scheduled = events.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'downloadVideo',
    );
    assert.ok(scheduled, 'the download was scheduled');
    const id = Number(scheduled.eventId);
    const started = events.find((e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === id);
    const completed = events.find(
      (e) => Number(e.activityTaskCompletedEventAttributes?.scheduledEventId) === id,
    );
    assert.ok(completed, `the download completed before the worker exited; its stderr:\n${stderr}`);
    assert.equal(started?.activityTaskStartedEventAttributes?.attempt, 1, 'in its first attempt');

    // A new worker takes the job from there.
    await stack.startWorker('video');
    const result = (await stack.client.workflow.getHandle(workflowId).result()) as VideoJobResult;
    assert.equal(result.status, 'completed');
    const served = stack.provider!.stats().routes.fileServed.map((f) => `${f.status}@${f.start}`);
    assert.deepEqual(served, ['200@0'], 'the file was fetched once');
    const dir = join(stack.dataDir, 'videos');
    assert.deepEqual(readdirSync(dir), [`${videoId}.mp4`]);
    assert.equal(statSync(join(dir, `${videoId}.mp4`)).size, 64 * 1024);
  });
});
