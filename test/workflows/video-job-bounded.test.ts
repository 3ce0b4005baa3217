import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { providerEventSignal, statusQuery, videoWorkflowId } from '../../src/shared/video-job.js';
import { videoJob } from '../../src/workflows/video-job.js';
import {
  createVideoDevEnv,
  fakeVideoActivities,
  jobInput,
  providerEvent,
  videoWorker,
} from './support/video-job-harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A job's runs stay short: after `maxEvents` signals a run hands its state on (continue-as-new),
 * and until the submit answers a run does not know its own prediction. On a real dev server: the
 * time-skipping server now and then loses a run's last workflow task when it continues as new.
 */
describe('VideoJob workflow: bounded runs and its own prediction (dev server)', function () {
  this.timeout(60_000);
  let env: TestWorkflowEnvironment;
  before(async function () {
    env = await createVideoDevEnv();
  });
  after(async () => {
    await env?.teardown();
  });

  /** Polls the run's status until `done` holds (at most ~10 s); returns the last status read. */
  async function statusOnceTrue(
    workflowId: string,
    done: (s: Awaited<ReturnType<typeof readStatus>>) => boolean,
  ) {
    let state = await readStatus(workflowId);
    for (let i = 0; i < 100 && !done(state); i++) {
      await sleep(100);
      state = await readStatus(workflowId);
    }
    return state;
  }
  /** Fake activities whose submit answers (with `providerJobId`) only once `answerSubmit` is called. */
  function heldSubmit(providerJobId: string) {
    let answerSubmit!: () => void;
    const submitted = new Promise<void>((r) => (answerSubmit = r));
    const fake = fakeVideoActivities({
      async submitVideoJob() {
        fake.calls.submit += 1;
        await submitted;
        return { providerJobId, status: 'starting' };
      },
    });
    return { ...fake, answerSubmit };
  }
  const readStatus = (workflowId: string) => env.client.workflow.getHandle(workflowId).query(statusQuery);

  it('continues as new after maxEvents events, handing on its state and the event ids it saw', async () => {
    const { activities, calls } = fakeVideoActivities();
    const worker = await videoWorker(env, activities);
    const input = jobInput({ maxEvents: 3 });
    const workflowId = videoWorkflowId(input.videoId);
    const events = [1, 2, 3].map(() => providerEvent(input.videoId, { providerJobId: 'pred-1' }));
    await worker.runUntil(async () => {
      const first = await env.client.workflow.start(videoJob, {
        workflowId,
        taskQueue: worker.options.taskQueue,
        args: [input],
      });
      for (const event of events) await first.signal(providerEventSignal, event);
      const continued = await statusOnceTrue(workflowId, (s) => s.runsContinued > 0);
      assert.equal(continued.runsContinued, 1, 'the run continued as new once');
      const firstRun = env.client.workflow.getHandle(workflowId, first.firstExecutionRunId);
      assert.equal((await firstRun.describe()).status.name, 'CONTINUED_AS_NEW');
      assert.deepEqual([continued.eventsSeen, continued.status], [3, 'processing'], 'state handed on');

      const latest = env.client.workflow.getHandle<typeof videoJob>(workflowId);
      // A redelivery of an event the first run took is still a duplicate in the next one.
      await latest.signal(providerEventSignal, events[0]!);
      await latest.signal(
        providerEventSignal,
        providerEvent(input.videoId, {
          providerJobId: 'pred-1',
          status: 'succeeded',
          downloadUrl: 'http://127.0.0.1/c.mp4',
        }),
      );
      assert.equal((await latest.result()).status, 'completed');
      const done = await latest.query(statusQuery);
      assert.deepEqual(
        [done.eventsSeen, done.duplicatesIgnored, done.runsContinued, done.status],
        [4, 1, 1, 'completed'],
      );
    });
    assert.deepEqual(calls.download, ['http://127.0.0.1/c.mp4']);
    assert.equal(calls.status, 0, 'no poll: the continued run kept waiting for events, not the reconcile');
  });

  it("holds events that come before the submit answers, then ignores another prediction's", async () => {
    const { activities, calls, answerSubmit } = heldSubmit('pred-new');
    const worker = await videoWorker(env, activities);
    const input = jobInput({ submit: true });
    const workflowId = videoWorkflowId(input.videoId);
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(videoJob, {
        workflowId,
        taskQueue: worker.options.taskQueue,
        args: [input],
      });
      await statusOnceTrue(workflowId, () => calls.submit > 0);
      // The earlier prediction of this video finishing, and this one's first progress event.
      await handle.signal(
        providerEventSignal,
        providerEvent(input.videoId, {
          providerJobId: 'pred-old',
          status: 'succeeded',
          downloadUrl: 'http://127.0.0.1/old.mp4',
        }),
      );
      await handle.signal(providerEventSignal, providerEvent(input.videoId, { providerJobId: 'pred-new' }));
      const waiting = await statusOnceTrue(workflowId, (s) => s.eventsSeen === 2);
      assert.deepEqual(
        [waiting.status, waiting.providerStatus],
        ['submitting', undefined],
        'held, not taken',
      );

      answerSubmit();
      const taken = await statusOnceTrue(workflowId, (s) => s.providerStatus === 'processing');
      assert.deepEqual(
        [taken.providerJobId, taken.providerStatus, taken.foreignEventsIgnored, taken.status],
        ['pred-new', 'processing', 1, 'processing'],
      );
      await handle.signal(
        providerEventSignal,
        providerEvent(input.videoId, {
          providerJobId: 'pred-new',
          status: 'succeeded',
          downloadUrl: 'http://127.0.0.1/new.mp4',
        }),
      );
      assert.equal((await handle.result()).status, 'completed');
    });
    assert.deepEqual(calls.download, ['http://127.0.0.1/new.mp4'], "only this prediction's file");
  });

  it('refuses events beyond maxEvents while the submit has not answered, and says how many', async () => {
    const { activities, calls, answerSubmit } = heldSubmit('pred-1');
    const worker = await videoWorker(env, activities);
    const input = jobInput({ submit: true, maxEvents: 2 });
    const workflowId = videoWorkflowId(input.videoId);
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(videoJob, {
        workflowId,
        taskQueue: worker.options.taskQueue,
        args: [input],
      });
      await statusOnceTrue(workflowId, () => calls.submit > 0);
      for (let i = 0; i < 4; i++)
        await handle.signal(providerEventSignal, providerEvent(input.videoId, { providerJobId: 'pred-1' }));
      const held = await statusOnceTrue(workflowId, (s) => s.eventsSeen === 4);
      assert.deepEqual([held.eventsSeen, held.eventsRefused], [4, 2]);
      answerSubmit();
      const latest = env.client.workflow.getHandle<typeof videoJob>(workflowId);
      const after = await statusOnceTrue(workflowId, (s) => s.runsContinued > 0);
      // The two held events were taken; the bound reached, the run handed its state on.
      assert.deepEqual(
        [after.providerStatus, after.eventsRefused, after.runsContinued],
        ['processing', 2, 1],
      );
      await latest.signal(
        providerEventSignal,
        providerEvent(input.videoId, {
          providerJobId: 'pred-1',
          status: 'succeeded',
          downloadUrl: 'http://127.0.0.1/e.mp4',
        }),
      );
      assert.equal((await latest.result()).status, 'completed');
    });
    assert.equal(calls.submit, 1, 'the continued run does not submit again');
  });
});
