import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createLogger } from '../../src/logger.js';
import { TASK_QUEUES } from '../../src/shared/task-queues.js';
import { buildVideoActivities } from '../../src/workers/video-activities.js';
import { waitForActivityBacklog } from '../support/activity-backlog.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PER_SECOND = 2;
const JOBS = 12;

/**
 * VIDEO_QUEUE_ACTIVITIES_PER_SECOND is the server's rate limit for the whole video queue: with
 * a backlog of provider calls and a worker with many free slots, the calls still start no
 * faster than the limit, after a small burst.
 */
describe('video queue activity rate limit (dev server, API)', function () {
  this.timeout(180_000);
  let stack: TestStack;

  before(async function () {
    this.timeout(180_000);
    stack = await startTestStack({
      lanes: [],
      env: { VIDEO_QUEUE_ACTIVITIES_PER_SECOND: String(PER_SECOND) },
    });
    // Webhooks held back: each job's one activity is its submit.
    stack.provider!.setChaos({ delayMs: [600_000, 600_000] });
  });
  after(async () => {
    await stack?.stop();
  });

  it(`starts a backlog of ${JOBS} provider calls at most ${PER_SECOND} a second (plus the burst)`, async () => {
    const tenantId = `rate-${randomUUID().slice(0, 8)}`;
    // A worker that runs the workflows but takes no activities builds the backlog first.
    await stack.startWorker('video', { enableNonLocalActivities: false });
    for (let i = 0; i < JOBS; i++) {
      const res = await stack.api('/videos', { method: 'POST', json: { tenantId, plan: 'paid' } });
      assert.equal(res.status, 202);
    }
    await waitForActivityBacklog(stack, TASK_QUEUES.video, JOBS);
    await stack.stopWorker('video');

    const startedAt: number[] = [];
    const real = buildVideoActivities(stack.config, createLogger('test', 'warn'));
    await stack.startWorker('video', {
      activities: {
        ...real,
        submitVideoJob: (input: Parameters<typeof real.submitVideoJob>[0]) => {
          startedAt.push(Date.now());
          return real.submitVideoJob(input);
        },
      },
    });
    for (let i = 0; i < 300 && startedAt.length < JOBS; i++) await sleep(100);
    await stack.stopWorker('video');
    assert.equal(startedAt.length, JOBS, `${startedAt.length} of ${JOBS} submits started`);

    // The worker has 20 free slots: unlimited, all would start within a few milliseconds. Limited,
    // after a burst (seen: 3 at once) they come 1 / PER_SECOND apart; the check allows a burst of
    // up to 2 × PER_SECOND and 100 ms of timer jitter.
    const offsets = startedAt.map((t) => t - startedAt[0]!);
    for (const [i, offset] of offsets.entries()) {
      const earliest = ((i - 2 * PER_SECOND) / PER_SECOND) * 1_000 - 100;
      assert.ok(
        offset >= earliest,
        `start ${i + 1} came ${offset} ms after the first; offsets: ${offsets.join(', ')}`,
      );
    }
  });
});
