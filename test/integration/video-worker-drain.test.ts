import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { temporal } from '@temporalio/proto';
import type { VideoJobResult } from '../../src/shared/video-job.js';
import { QUICK_DOWNLOAD_CEILING_BYTES } from '../../src/shared/video-job.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The download as an activity task: done in its first attempt, before the worker exited. */
function completedInFirstAttempt(events: HistoryEvent[], stderr: string): void {
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
}

/** The download inside the workflow task: its result recorded, and the job closed, by the stopped worker. */
function completedInWorkflowTask(events: HistoryEvent[], stderr: string): void {
  const downloads = events.filter(
    (e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
  );
  assert.equal(downloads.length, 1, `the download's result was recorded once; its stderr:\n${stderr}`);
  assert.ok(
    events.some((e) => e.workflowExecutionCompletedEventAttributes),
    `the job closed before the worker exited; its stderr:\n${stderr}`,
  );
}

/**
 * A video worker process stopped with SIGTERM (what the autoscaler and the supervisor send)
 * while it downloads: it finishes the download in that same attempt, reports it, and exits 0.
 * Nothing is abandoned to a timeout and nothing is fetched a second time. Both ways a download
 * runs: a small video inside the job's workflow task, a larger one as an activity task.
 */
describe('video worker drains in-flight work on SIGTERM', function () {
  this.timeout(180_000);
  const root = new URL('../../', import.meta.url).pathname;

  for (const { name, fileBytes, bytesPerSecond, served, check } of [
    {
      name: 'a small video, inside the workflow task',
      // 64 KiB at 16 KiB/s: a 4 s download, so SIGTERM lands in the middle of it.
      fileBytes: 64 * 1024,
      bytesPerSecond: 16 * 1024,
      served: ['200@0'],
      check: completedInWorkflowTask,
    },
    {
      name: 'a larger video, as an activity task',
      // About 4 s again; the quick attempt stops at the declared length before the task's fetch.
      fileBytes: QUICK_DOWNLOAD_CEILING_BYTES + 64 * 1024,
      bytesPerSecond: 1024 * 1024,
      served: ['200@0', '200@0'],
      check: completedInFirstAttempt,
    },
  ]) {
    describe(name, () => {
      let stack: TestStack;
      let child: ChildProcess | undefined;
      before(async () => {
        stack = await startTestStack({ lanes: ['urgent'], providerFileBytes: fileBytes });
        stack.provider!.setChaos({ fileBytesPerSecond: bytesPerSecond });
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

        const fetches = served.length;
        for (let i = 0; i < 480 && stack.provider!.stats().routes.fileRequests < fetches; i++)
          await sleep(250);
        assert.ok(stack.provider!.stats().routes.fileRequests >= fetches, 'the download never started');
        await sleep(500);
        child.kill('SIGTERM');
        assert.deepEqual(
          await exited,
          [0, null],
          `the worker exits 0 after draining; its stderr:\n${stderr}`,
        );

        // Before any other worker runs: what the stopped one reported.
        check((await stack.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [], stderr);

        // A new worker takes the job from there.
        await stack.startWorker('video');
        const result = (await stack.client.workflow.getHandle(workflowId).result()) as VideoJobResult;
        assert.equal(result.status, 'completed');
        assert.deepEqual(
          stack.provider!.stats().routes.fileServed.map((f) => `${f.status}@${f.start}`),
          served,
          'the file was fetched once (after the quick attempt, for the larger video)',
        );
        const dir = join(stack.dataDir, 'videos');
        assert.deepEqual(readdirSync(dir), [`${videoId}.mp4`]);
        assert.equal(statSync(join(dir, `${videoId}.mp4`)).size, fileBytes);
      });
    });
  }
});
