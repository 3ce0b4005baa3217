import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { deliverEvent } from '../../src/api/webhooks/deliver-event.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { TASK_QUEUES } from '../../src/shared/task-queues.js';
import {
  providerEventSignal,
  QUICK_DOWNLOAD_CEILING_BYTES,
  statusQuery,
  videoWorkflowId,
  type ProviderEvent,
} from '../../src/shared/video-job.js';
import { VideoStatusAttribute } from '../../src/shared/search-attributes.js';
import { RECONCILE_POLL, videoJob } from '../../src/workflows/video-job.js';
import {
  createVideoTestEnv,
  fakeVideoActivities,
  jobInput,
  providerEvent,
  videoWorker,
} from './support/video-job-harness.js';

describe('VideoJob workflow: provider events', function () {
  let env: TestWorkflowEnvironment;
  before(async function () {
    env = await createVideoTestEnv();
  });
  after(async () => {
    await env?.teardown();
  });

  it('ignores a redelivered event: one state change per event id', async () => {
    const { activities, calls } = fakeVideoActivities();
    const worker = await videoWorker(env, activities);
    const input = jobInput();
    const processing = providerEvent(input.videoId, { status: 'processing' });
    const succeeded = providerEvent(input.videoId, {
      status: 'succeeded',
      downloadUrl: 'http://127.0.0.1/a.mp4',
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.signalWithStart(videoJob, {
        workflowId: videoWorkflowId(input.videoId),
        taskQueue: worker.options.taskQueue,
        args: [input],
        signal: providerEventSignal,
        signalArgs: [processing],
      });
      await handle.signal(providerEventSignal, processing);
      await handle.signal(providerEventSignal, succeeded);
      await handle.signal(providerEventSignal, succeeded);
      const result = await handle.result();
      assert.equal(result.status, 'completed');
      const state = await handle.query(statusQuery);
      assert.equal(state.eventsSeen, 2);
      assert.equal(state.duplicatesIgnored, 2);
      assert.equal(state.status, 'completed');
    });
    assert.deepEqual(calls.download, ['http://127.0.0.1/a.mp4'], 'downloaded exactly once');
  });

  it('never moves backwards on out-of-order events', async () => {
    const { activities } = fakeVideoActivities();
    const worker = await videoWorker(env, activities);
    const input = jobInput();
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(videoJob, {
        workflowId: videoWorkflowId(input.videoId),
        taskQueue: worker.options.taskQueue,
        args: [input],
      });
      await handle.signal(providerEventSignal, providerEvent(input.videoId, { status: 'processing' }));
      await handle.signal(providerEventSignal, providerEvent(input.videoId, { status: 'starting' }));
      const mid = await handle.query(statusQuery);
      assert.equal(mid.status, 'processing');
      assert.equal(mid.eventsSeen, 2);

      await handle.signal(
        providerEventSignal,
        providerEvent(input.videoId, { status: 'succeeded', downloadUrl: 'http://127.0.0.1/b.mp4' }),
      );
      await handle.result();
      const done = await handle.query(statusQuery);
      assert.equal(done.status, 'completed');
      assert.equal(done.providerStatus, 'succeeded');
    });
  });

  it('late events after the job finished change nothing', async () => {
    const { activities, calls } = fakeVideoActivities();
    const worker = await videoWorker(env, activities);
    const input = jobInput();
    const workflowId = videoWorkflowId(input.videoId);
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(videoJob, {
        workflowId,
        taskQueue: worker.options.taskQueue,
        args: [input],
      });
      await handle.signal(
        providerEventSignal,
        providerEvent(input.videoId, { status: 'succeeded', downloadUrl: 'http://127.0.0.1/late.mp4' }),
      );
      assert.equal((await handle.result()).status, 'completed');
      const before = await handle.query(statusQuery);
      const historyBefore = (await handle.fetchHistory()).events?.length;
      const { runId } = await handle.describe();

      // Late webhooks, through the API's own hand-off (the same call a webhook route makes).
      const deps = {
        client: env.client,
        config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }),
        log: createLogger('test', 'silent'),
      };
      const late = (event: ProviderEvent) =>
        deliverEvent(deps, 'replicate', { event, tenantId: input.tenantId, plan: input.plan });
      assert.equal(
        await late(providerEvent(input.videoId, { status: 'failed', error: 'late failure' })),
        'late',
      );
      assert.equal(await late(providerEvent(input.videoId, { status: 'processing' })), 'late');
      // And straight at the closed run: the server refuses it.
      await assert.rejects(
        handle.signal(providerEventSignal, providerEvent(input.videoId, { status: 'canceled' })),
        WorkflowNotFoundError,
      );

      const after = await handle.query(statusQuery);
      assert.deepEqual(after, before, 'state unchanged');
      assert.equal(
        (await handle.fetchHistory()).events?.length,
        historyBefore,
        'nothing appended to history',
      );
      const now = await handle.describe();
      assert.equal(now.runId, runId, 'no new run was started by a late event');
      assert.equal(now.status.name, 'COMPLETED');
    });
    assert.deepEqual(calls.download, ['http://127.0.0.1/late.mp4'], 'downloaded once');
  });

  it('a failure event after success does not fail the job', async () => {
    let release!: () => void;
    const downloading = new Promise<void>((resolve) => (release = resolve));
    const { activities } = fakeVideoActivities({
      async downloadVideo(req) {
        await downloading;
        return { storedPath: `/videos/${req.videoId}.mp4`, bytes: 3, sha256: 'abc' };
      },
    });
    const worker = await videoWorker(env, activities);
    const input = jobInput();
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(videoJob, {
        workflowId: videoWorkflowId(input.videoId),
        taskQueue: worker.options.taskQueue,
        args: [input],
      });
      await handle.signal(
        providerEventSignal,
        providerEvent(input.videoId, { status: 'succeeded', downloadUrl: 'http://127.0.0.1/c.mp4' }),
      );
      await handle.signal(
        providerEventSignal,
        providerEvent(input.videoId, { status: 'failed', error: 'late' }),
      );
      await handle.signal(providerEventSignal, providerEvent(input.videoId, { status: 'processing' }));
      const during = await handle.query(statusQuery);
      assert.equal(during.providerStatus, 'succeeded');
      assert.equal(during.error, undefined);
      release();
      assert.equal((await handle.result()).status, 'completed');
    });
  });

  it("fails with the reason: the provider's error, its bare status, or a success without a file", async () => {
    const { activities, calls } = fakeVideoActivities();
    const worker = await videoWorker(env, activities);
    const cases: Array<[Partial<ProviderEvent>, string, string]> = [
      [{ status: 'failed', error: 'out of credits' }, 'out of credits', 'failed'],
      [{ status: 'canceled' }, 'provider reported canceled', 'canceled'],
      [{ status: 'succeeded' }, 'provider reported success without an output URL', 'failed'],
    ];
    await worker.runUntil(async () => {
      for (const [event, reason, status] of cases) {
        const input = jobInput();
        const handle = await env.client.workflow.start(videoJob, {
          workflowId: videoWorkflowId(input.videoId),
          taskQueue: worker.options.taskQueue,
          args: [input],
        });
        await handle.signal(providerEventSignal, providerEvent(input.videoId, event));
        await assert.rejects(handle.result(), (err: unknown) => {
          assert.ok(err instanceof WorkflowFailedError);
          assert.equal(err.cause?.message, reason);
          return true;
        });
        const state = await handle.query(statusQuery);
        assert.deepEqual([state.status, state.error], [status, reason]);
      }
    });
    assert.deepEqual(calls.download, [], 'nothing to download');
  });

  it('emails the requester on the urgent lane before completing', async () => {
    const { activities } = fakeVideoActivities();
    const sent: Array<{ to: string; videoId: string; storedPath?: string }> = [];
    const worker = await videoWorker(env, activities);
    const mailWorker = await videoWorker(
      env,
      {
        async sendVideoReadyEmail(mail: { to: string; videoId: string; storedPath?: string }) {
          sent.push(mail);
        },
      },
      { taskQueue: TASK_QUEUES.urgent },
    );
    const input = jobInput({ requesterEmail: 'owner@example.test' });
    await mailWorker.runUntil(
      worker.runUntil(async () => {
        const handle = await env.client.workflow.start(videoJob, {
          workflowId: videoWorkflowId(input.videoId),
          taskQueue: worker.options.taskQueue,
          args: [input],
        });
        await handle.signal(
          providerEventSignal,
          providerEvent(input.videoId, { status: 'succeeded', downloadUrl: 'http://127.0.0.1/e.mp4' }),
        );
        assert.equal((await handle.result()).status, 'completed');
      }),
    );
    assert.deepEqual(sent, [
      { to: 'owner@example.test', videoId: input.videoId, storedPath: `/videos/${input.videoId}.mp4` },
    ]);
  });

  it('recovers a missed webhook by polling the provider after the reconcile delay', async () => {
    let polledAt: number | undefined;
    const { activities, calls } = fakeVideoActivities({
      async getVideoJobStatus({ providerJobId }) {
        polledAt = await env.currentTimeMs();
        return { providerJobId, status: 'succeeded', downloadUrl: 'http://127.0.0.1/d.mp4' };
      },
    });
    const worker = await videoWorker(env, activities);
    const input = jobInput({ submit: true, reconcileAfterMs: 10 * 60_000 });
    const startedAt = await env.currentTimeMs();
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(videoJob, {
        workflowId: videoWorkflowId(input.videoId),
        taskQueue: worker.options.taskQueue,
        args: [input],
      });
      assert.equal((await handle.result()).status, 'completed');
      const state = await handle.query(statusQuery);
      assert.equal(state.polls, 1);
      assert.equal(state.providerJobId, 'pred-1');
    });
    assert.equal(calls.submit, 1);
    assert.ok(polledAt! - startedAt >= 10 * 60_000, `polled after only ${polledAt! - startedAt} ms`);
    assert.deepEqual(calls.download, ['http://127.0.0.1/d.mp4']);
  });

  it('keeps polling with backoff until the provider reports a terminal status', async () => {
    // The documented schedule: 15 s after the first poll, doubling, capped at 5 min.
    const expectedGapsS = [15, 30, 60, 120, 240, 300, 300];
    const answers = [...expectedGapsS.map(() => 'processing' as const), 'failed' as const];
    const polledAt: number[] = [];
    const { activities, calls } = fakeVideoActivities({
      async getVideoJobStatus({ providerJobId }) {
        polledAt.push(await env.currentTimeMs());
        const status = answers[Math.min(calls.status++, answers.length - 1)]!;
        return { providerJobId, status, ...(status === 'failed' && { error: 'GPU out of memory' }) };
      },
    });
    const worker = await videoWorker(env, activities);
    const input = jobInput({ providerJobId: 'pred-9' });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(videoJob, {
        workflowId: videoWorkflowId(input.videoId),
        taskQueue: worker.options.taskQueue,
        args: [input],
      });
      const err = await handle.result().then(
        () => assert.fail('expected the job to fail'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof WorkflowFailedError);
      assert.match(String(err.cause?.message), /GPU out of memory/);
      const state = await handle.query(statusQuery);
      assert.equal(state.status, 'failed');
      assert.equal(state.polls, answers.length);
    });
    const gapsS = polledAt.slice(1).map((t, i) => (t - polledAt[i]!) / 1000);
    assert.equal(gapsS.length, expectedGapsS.length);
    gapsS.forEach((gap, i) => {
      // Skipped time is exact up to the activity's own scheduling: a few seconds of slack at most.
      assert.ok(
        gap >= expectedGapsS[i]! && gap < expectedGapsS[i]! + 5,
        `gap ${i + 1} was ${gap} s, expected ${expectedGapsS[i]} s (all: ${gapsS.join(', ')})`,
      );
    });
  });

  it('gives up after the last poll and fails the job with the number of polls', async () => {
    const { activities, calls } = fakeVideoActivities();
    const worker = await videoWorker(env, activities);
    const input = jobInput({ providerJobId: 'pred-7' });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(videoJob, {
        workflowId: videoWorkflowId(input.videoId),
        taskQueue: worker.options.taskQueue,
        args: [input],
      });
      const err = await handle.result().then(
        () => assert.fail('expected the job to fail'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof WorkflowFailedError);
      const expected = `no terminal status from the provider after ${RECONCILE_POLL.maxPolls} polls`;
      assert.equal(err.cause?.message, expected);
      assert.equal(err.cause instanceof ApplicationFailure && err.cause.type, 'VideoFailed');
      const state = await handle.query(statusQuery);
      assert.deepEqual(
        [state.status, state.polls, state.error],
        ['failed', RECONCILE_POLL.maxPolls, expected],
      );
    });
    assert.equal(calls.status, RECONCILE_POLL.maxPolls, 'one status call per poll, none after the last');
  });

  // A video over the workflow task's bound, so its download is an activity task: a small one is
  // fetched inside the task, whose commands reach the server only when it ends (engine-cost tests).
  it('shows its phase to operators: the VideoStatus search attribute and the Web UI details', async () => {
    let finishDownload!: () => void;
    const downloaded = new Promise<void>((r) => (finishDownload = r));
    const { activities } = fakeVideoActivities({
      async downloadVideo(req) {
        await downloaded;
        return { storedPath: `/videos/${req.videoId}.mp4`, bytes: 3, sha256: 'abc' };
      },
    });
    const worker = await videoWorker(env, activities);
    const input = jobInput();
    // A failed check must still let the held download finish, or the worker's shutdown would wait on it.
    const check = async () => {
      const handle = await env.client.workflow.start(videoJob, {
        workflowId: videoWorkflowId(input.videoId),
        taskQueue: worker.options.taskQueue,
        args: [input],
      });
      const phase = async () => {
        const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
        const attributes = (await handle.describe()).typedSearchAttributes;
        return [
          (await handle.query(statusQuery)).status,
          attributes.get(VideoStatusAttribute),
          metadata.currentDetails,
        ];
      };
      // The search attribute is the start options' to set (none here); the details cost no write.
      assert.deepEqual(await phase(), ['waiting', undefined, '**waiting**']);
      await handle.signal(
        providerEventSignal,
        providerEvent(input.videoId, {
          status: 'succeeded',
          downloadUrl: 'http://127.0.0.1/p.mp4',
          sizeBytes: QUICK_DOWNLOAD_CEILING_BYTES + 1,
        }),
      );
      let seen = await phase();
      for (let i = 0; i < 100 && seen[0] !== 'downloading'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        seen = await phase();
      }
      assert.deepEqual(seen, ['downloading', 'downloading', '**downloading**']);
      finishDownload();
      await handle.result();
      assert.deepEqual(await phase(), ['completed', 'completed', '**completed**']);
    };
    await worker.runUntil(check().finally(finishDownload));
  });
});
