import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import proto from '@temporalio/proto';
import {
  bundleWorkflowCode,
  NativeConnection,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { PRIORITY, TASK_QUEUES } from '../../src/shared/task-queues.js';
import { createDataConverter } from '../../src/temporal/data-converter.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import type { LaneTestActivities } from './urgent-lane-workflows.js';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Both tests first let a workflow-only worker schedule every activity, so the whole batch sits
 * in the server's backlog, then start a worker with one activity slot: the order in which it
 * receives work is the order the server dispatches it, which is what Priority and Fairness decide.
 */
describe('urgent lane Priority and video lane Fairness (dev server)', function () {
  this.timeout(180_000);
  let stack: TestStack;
  let bundle: WorkflowBundleWithSourceMap;
  let connection: NativeConnection;

  before(async function () {
    this.timeout(180_000);
    [stack, bundle] = await Promise.all([
      startTestStack({ lanes: [], provider: false }),
      bundleWorkflowCode({
        workflowsPath: new URL('./urgent-lane-workflows.ts', import.meta.url).pathname,
        logger: quiet,
      }),
    ]);
    connection = await NativeConnection.connect({ address: stack.devServer.address });
  });
  after(async () => {
    await connection?.close();
    await stack?.stop();
  });

  async function activityBacklog(taskQueue: string): Promise<number> {
    const { stats } = await stack.client.workflowService.describeTaskQueue({
      namespace: stack.config.temporal.namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      reportStats: true,
    });
    return Number(stats?.approximateBacklogCount ?? 0);
  }
  async function waitForActivityBacklog(taskQueue: string, count: number): Promise<void> {
    let seen = 0;
    for (let i = 0; i < 240 && seen < count; i++) {
      seen = await activityBacklog(taskQueue);
      if (seen < count) await sleep(250);
    }
    assert.equal(seen, count, `activity backlog on ${taskQueue}`);
  }

  it('sends 5 queued password resets before 50 earlier-queued notification mails', async () => {
    await stack.startWorker('urgent', { workflowBundle: bundle, enableNonLocalActivities: false });
    const run = randomUUID().slice(0, 8);
    const notifications = Array.from({ length: 50 }, (_, i) =>
      stack.client.workflow.start('notifyVideoReady', {
        taskQueue: TASK_QUEUES.urgent,
        workflowId: `notify-${run}-${i}`,
        args: [{ to: `notify-${run}-${i}@example.test`, videoId: `vid-${i}` }],
        priority: { priorityKey: PRIORITY.notificationMail },
      }),
    );
    await Promise.all(notifications);
    await waitForActivityBacklog(TASK_QUEUES.urgent, 50);
    for (let i = 0; i < 5; i++) {
      const res = await stack.api('/password-resets', {
        method: 'POST',
        json: { userId: `user-${run}-${i}`, email: `reset-${run}-${i}@example.test` },
      });
      assert.equal(res.status, 202);
    }
    await waitForActivityBacklog(TASK_QUEUES.urgent, 55);

    await stack.stopWorker('urgent');
    await stack.startWorker('urgent', { workflowBundle: bundle, maxConcurrentActivityTaskExecutions: 1 });
    await stack.smtp.waitFor(() => stack.smtp.messages().length >= 55, 60_000);

    const kinds = stack.smtp.messages().map((m) => m.headers['x-floodgate-kind']);
    assert.deepEqual(
      kinds.slice(0, 5),
      Array(5).fill('password-reset'),
      `dispatch order: ${kinds.join(',')}`,
    );
    assert.deepEqual(kinds.slice(5), Array(50).fill('video-ready'));
    await stack.stopWorker('urgent');
  });

  it("keeps one tenant's bulk batch from starving another tenant's few jobs", async () => {
    const taskQueue = TASK_QUEUES.video;
    const order: string[] = [];
    const activities: LaneTestActivities = {
      async videoStep({ tenant }) {
        order.push(tenant);
        await sleep(2);
      },
    };
    const workflowsOnly = await Worker.create({
      connection,
      taskQueue,
      workflowBundle: bundle,
      dataConverter: createDataConverter(stack.config),
      enableNonLocalActivities: false,
    });
    const run = randomUUID().slice(0, 8);
    const start = (tenant: string, i: number) =>
      stack.client.workflow.start('tenantVideoJob', {
        taskQueue,
        workflowId: `job-${run}-${tenant}-${i}`,
        args: [{ tenant, jobId: `${tenant}-${i}` }],
        priority: { priorityKey: PRIORITY.freeVideo, fairnessKey: tenant },
      });
    await workflowsOnly.runUntil(async () => {
      // The bulk tenant's whole batch is queued before the other tenant asks for anything.
      for (let i = 0; i < 200; i += 50)
        await Promise.all(Array.from({ length: 50 }, (_, j) => start('bulkco', i + j)));
      await waitForActivityBacklog(taskQueue, 200);
      await Promise.all(Array.from({ length: 10 }, (_, i) => start('acme', i)));
      await waitForActivityBacklog(taskQueue, 210);
    });

    const oneSlot = await Worker.create({
      connection,
      taskQueue,
      workflowBundle: bundle,
      dataConverter: createDataConverter(stack.config),
      activities,
      maxConcurrentActivityTaskExecutions: 1,
    });
    await oneSlot.runUntil(async () => {
      while (order.length < 210) await sleep(100);
    });

    const lastAcme = order.lastIndexOf('acme');
    const bulkBefore = order.slice(0, lastAcme).filter((t) => t === 'bulkco').length;
    // FIFO would run all 200 bulk jobs first; equal-weight fairness interleaves the two keys.
    assert.ok(
      bulkBefore <= 40,
      `acme's last job ran after ${bulkBefore} of bulkco's 200 (order: ${order.slice(0, 40).join(',')})`,
    );
  });
});
