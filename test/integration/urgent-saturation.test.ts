import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { videoStartOptions } from '../../src/api/videos/video-start-options.js';
import { createLogger } from '../../src/logger.js';
import { TASK_QUEUES } from '../../src/shared/task-queues.js';
import { VIDEO_WORKFLOW_TYPE, type VideoJobInput } from '../../src/shared/video-job.js';
import { buildVideoActivities } from '../../src/workers/video-activities.js';
import { activityBacklog } from '../support/activity-backlog.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const VIDEO_JOBS = 2_000;
const VIDEO_SLOTS = 4;
// Long enough that the moment a slot spends between two tasks is small beside the task itself.
const SLOW_PROVIDER_MS = 2_000;

describe('password resets while the video lane is saturated (dev server)', function () {
  this.timeout(300_000);
  let stack: TestStack;

  before(async function () {
    this.timeout(180_000);
    stack = await startTestStack({ lanes: ['urgent'], env: { VIDEO_ACTIVITY_SLOTS: String(VIDEO_SLOTS) } });
  });
  after(async () => {
    await stack?.stop();
  });

  it('reaches the SMTP sink while every video slot is busy and thousands of video tasks are queued', async () => {
    // Webhooks held back, so each job's only activity is its submit; a slow provider makes each
    // submit hold its slot. The video worker is the lane's own (its slots come from config).
    stack.provider!.setChaos({ delayMs: [600_000, 600_000] });
    // First a video worker that runs the workflows but takes no activities, so the whole batch
    // of submits is queued before any slot works on it.
    await stack.startWorker('video', { enableNonLocalActivities: false });
    // Started exactly as the API starts them: the app's own start options, the real workflow.
    const run = randomUUID().slice(0, 8);
    for (let i = 0; i < VIDEO_JOBS; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) => {
          const input: VideoJobInput = {
            videoId: `sat-${run}-${i + j}`,
            tenantId: `tenant-${j % 3}`,
            plan: j % 2 ? 'paid' : 'free',
            submit: true,
            reconcileAfterMs: stack.config.provider.reconcileAfterMs,
          };
          return stack.client.workflow.start(
            VIDEO_WORKFLOW_TYPE,
            videoStartOptions(stack.config, input, 'test'),
          );
        }),
      );
    }
    let backlog = 0;
    for (let i = 0; i < 600 && backlog < VIDEO_JOBS; i++) {
      await sleep(250);
      backlog = await activityBacklog(stack, TASK_QUEUES.video);
    }
    assert.ok(backlog >= VIDEO_JOBS, `video backlog only ${backlog}`);

    // Now the lane's own worker (slots from config), its provider slow: every submit holds a slot.
    await stack.stopWorker('video');
    const real = buildVideoActivities(stack.config, createLogger('test', 'warn'));
    const videoWorker = await stack.startWorker('video', {
      activities: {
        ...real,
        submitVideoJob: async (input: Parameters<typeof real.submitVideoJob>[0]) => {
          await sleep(SLOW_PROVIDER_MS);
          return real.submitVideoJob(input);
        },
      },
    });
    for (let i = 0; i < 200 && videoWorker.getStatus().numInFlightNonLocalActivities < VIDEO_SLOTS; i++)
      await sleep(50);

    // What the video worker itself reports as running, sampled for as long as the resets take.
    const busy: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        busy.push(videoWorker.getStatus().numInFlightNonLocalActivities);
        await sleep(50);
      }
    })();

    const emails = Array.from({ length: 5 }, (_, i) => `reset-${run}-${i}@example.test`);
    const requestedAt = Date.now();
    for (const [i, email] of emails.entries()) {
      const res = await stack.api('/password-resets', {
        method: 'POST',
        json: { userId: `u-${run}-${i}`, email },
      });
      assert.equal(res.status, 202);
    }
    try {
      await stack.smtp.waitFor(
        () => emails.every((e) => stack.smtp.messages().some((m) => m.to.includes(e))),
        30_000,
      );
    } finally {
      sampling = false;
      await sampler;
    }
    const mailedAfterMs = Date.now() - requestedAt;

    assert.ok(busy.length >= 3, `only ${busy.length} samples of the video worker`);
    // The lane's worker runs exactly its configured slots: never more (a worker that ignored
    // VIDEO_ACTIVITY_SLOTS would run many), and nearly always all of them (a slot is free for
    // a moment between two tasks).
    assert.equal(Math.max(...busy), VIDEO_SLOTS, `video activities in flight: ${busy.join(',')}`);
    const full = busy.filter((n) => n === VIDEO_SLOTS).length;
    assert.ok(
      full >= busy.length * 0.75,
      `video slots were not all busy while the resets went through: ${busy.join(',')}`,
    );
    // Queued behind the video backlog, the resets would wait for it to drain: VIDEO_JOBS submits
    // at VIDEO_SLOTS at a time, SLOW_PROVIDER_MS each (over 8 minutes here). They took seconds.
    const drainMs = (VIDEO_JOBS / VIDEO_SLOTS) * SLOW_PROVIDER_MS;
    assert.ok(
      mailedAfterMs < Math.min(10_000, drainMs / 50),
      `the resets were mailed ${mailedAfterMs} ms after they were requested (the video backlog drains in ${drainMs} ms)`,
    );
    await stack.stopWorker('video');
  });
});
