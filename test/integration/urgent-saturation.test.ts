import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import proto from '@temporalio/proto';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { PRIORITY, TASK_QUEUES } from '../../src/shared/task-queues.js';
import { createDataConverter } from '../../src/temporal/data-converter.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import type { LaneTestActivities } from './urgent-lane-workflows.js';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const VIDEO_JOBS = 2_000;
const VIDEO_SLOTS = 4;

describe('password resets while the video lane is saturated (dev server)', function () {
  this.timeout(240_000);
  let stack: TestStack;
  let connection: NativeConnection;
  let videoWorker: Worker | undefined;
  let videoRun: Promise<void> | undefined;

  before(async function () {
    this.timeout(180_000);
    stack = await startTestStack({ lanes: ['urgent'], provider: false });
    connection = await NativeConnection.connect({ address: stack.devServer.address });
  });
  after(async () => {
    if (videoWorker?.getState() === 'RUNNING') videoWorker.shutdown();
    await videoRun;
    await connection?.close();
    await stack?.stop();
  });

  async function videoActivityBacklog(): Promise<number> {
    const { stats } = await stack.client.workflowService.describeTaskQueue({
      namespace: stack.config.temporal.namespace,
      taskQueue: { name: TASK_QUEUES.video },
      taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      reportStats: true,
    });
    return Number(stats?.approximateBacklogCount ?? 0);
  }

  it('reaches the SMTP sink while thousands of video tasks are still queued', async () => {
    // A stand-in video worker: every slot busy on a slow "download", thousands more queued behind.
    let videoStepsDone = 0;
    const activities: LaneTestActivities = {
      async videoStep() {
        await sleep(300);
        videoStepsDone++;
      },
    };
    videoWorker = await Worker.create({
      connection,
      taskQueue: TASK_QUEUES.video,
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: new URL('./urgent-lane-workflows.ts', import.meta.url).pathname,
        logger: quiet,
      }),
      dataConverter: createDataConverter(stack.config),
      activities,
      maxConcurrentActivityTaskExecutions: VIDEO_SLOTS,
    });
    videoRun = videoWorker.run();

    const run = randomUUID().slice(0, 8);
    for (let i = 0; i < VIDEO_JOBS; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) =>
          stack.client.workflow.start('tenantVideoJob', {
            taskQueue: TASK_QUEUES.video,
            workflowId: `video-${run}-${i + j}`,
            args: [{ tenant: `tenant-${j % 3}`, jobId: `${i + j}` }],
            priority: { priorityKey: PRIORITY.paidVideo, fairnessKey: `tenant-${j % 3}` },
          }),
        ),
      );
    }
    let backlog = 0;
    for (let i = 0; i < 120 && backlog < VIDEO_JOBS * 0.75; i++) {
      await sleep(250);
      backlog = await videoActivityBacklog();
    }
    assert.ok(backlog >= VIDEO_JOBS * 0.75, `video backlog only ${backlog}`);

    const doneWhenRequested = videoStepsDone;
    const emails = Array.from({ length: 5 }, (_, i) => `reset-${run}-${i}@example.test`);
    for (const [i, email] of emails.entries()) {
      const res = await stack.api('/password-resets', {
        method: 'POST',
        json: { userId: `u-${run}-${i}`, email },
      });
      assert.equal(res.status, 202);
    }
    await stack.smtp.waitFor(
      () => emails.every((e) => stack.smtp.messages().some((m) => m.to.includes(e))),
      30_000,
    );

    const videoStepsMeanwhile = videoStepsDone - doneWhenRequested;
    const backlogWhenMailed = await videoActivityBacklog();
    // Behind the backlog (a shared pool) the resets would wait for ~all queued video steps to run.
    assert.ok(
      videoStepsMeanwhile < VIDEO_JOBS * 0.05,
      `${videoStepsMeanwhile} video steps ran before the resets were mailed: they waited behind the backlog`,
    );
    assert.ok(backlogWhenMailed >= VIDEO_JOBS * 0.5, `video backlog had drained to ${backlogWhenMailed}`);
  });
});
