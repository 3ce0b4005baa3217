import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { passwordResetWorkflowId } from '../../src/api/password-reset-id.js';
import { PRIORITY, TASK_QUEUES } from '../../src/shared/task-queues.js';
import { createLogger } from '../../src/logger.js';
import { buildVideoActivities } from '../../src/workers/video-activities.js';
import { waitForActivityBacklog, waitForScheduledActivity } from '../support/activity-backlog.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { NO_CHAOS } from '../../dev/provider/chaos.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const WEIGHTED_TENANT = 'heavy';

/**
 * Everything here starts through the API (so through `videoStartOptions` and the reset route's
 * own options) and runs the real VideoJob and PasswordReset workflows. Each test first lets a
 * worker that runs workflows but takes no activities fill the backlog, then starts a worker with
 * one activity slot: the order in which it receives work is the order the server dispatches it,
 * which is what Priority and Fairness decide.
 */
describe('urgent lane Priority and video lane Fairness, through the API (dev server)', function () {
  this.timeout(300_000);
  let stack: TestStack;

  before(async function () {
    this.timeout(180_000);
    stack = await startTestStack({
      lanes: [],
      // Reset mails as activity tasks, so they queue on `urgent` beside the "video ready" mails
      // (by default a reset's mail goes out inside its workflow task and never queues there).
      env: { TENANT_FAIRNESS_WEIGHTS: `${WEIGHTED_TENANT}=4`, PASSWORD_RESET_MAIL_AS: 'activity' },
    });
  });
  // A test that holds webhooks back leaves the provider as the next test expects to find it.
  afterEach(() => stack?.provider?.setChaos(NO_CHAOS));
  after(async () => {
    await stack?.stop();
  });

  async function requestVideo(tenantId: string, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await stack.api('/videos', { method: 'POST', json: { tenantId, plan: 'free', ...extra } });
    assert.equal(res.status, 202, `POST /videos: ${res.status}`);
    return ((await res.json()) as { workflowId: string }).workflowId;
  }

  /** Runs the video lane's real activities with one slot and records which tenant each submit was for. */
  async function dispatchOrderOfSubmits(expected: number): Promise<string[]> {
    const order: string[] = [];
    const real = buildVideoActivities(stack.config, createLogger('test', 'warn'));
    await stack.stopWorker('video');
    await stack.startWorker('video', {
      maxConcurrentActivityTaskExecutions: 1,
      activities: {
        ...real,
        submitVideoJob: (input: Parameters<typeof real.submitVideoJob>[0]) => {
          order.push(input.tenantId);
          return real.submitVideoJob(input);
        },
      },
    });
    for (let i = 0; i < 1_200 && order.length < expected; i++) await sleep(100);
    await stack.stopWorker('video');
    assert.ok(order.length >= expected, `only ${order.length} of ${expected} submits ran`);
    return order.slice(0, expected);
  }

  it('PASSWORD_RESET_MAIL_AS=activity: sends 5 password resets before 30 earlier-queued "video ready" mails', async () => {
    const run = randomUUID().slice(0, 8);
    // Video jobs run to the end; their "video ready" mails wait on the urgent lane, where a
    // worker runs workflows but takes no activities yet.
    await stack.startWorker('urgent', { enableNonLocalActivities: false });
    await stack.startWorker('video');
    const videos = 30;
    for (let i = 0; i < videos; i++)
      await requestVideo(`notify-${run}`, { requesterEmail: `v${i}-${run}@example.test` });
    await waitForActivityBacklog(stack, TASK_QUEUES.urgent, videos);

    const users = Array.from({ length: 5 }, (_, i) => `user-${run}-${i}`);
    for (const [i, userId] of users.entries()) {
      const res = await stack.api('/password-resets', {
        method: 'POST',
        json: { userId, email: `reset-${i}-${run}@example.test` },
      });
      assert.equal(res.status, 202);
    }
    await waitForActivityBacklog(stack, TASK_QUEUES.urgent, videos + 5);
    // The run itself carries the urgent priority (what its activities inherit), not only its mail step.
    for (const userId of users) {
      const id = passwordResetWorkflowId(userId, stack.config.passwordReset.idKey);
      const { priority } = await stack.client.workflow.getHandle(id).describe();
      assert.equal(priority?.priorityKey, PRIORITY.passwordReset, `reset run ${id} priority`);
    }

    await stack.stopWorker('urgent');
    await stack.startWorker('urgent', { maxConcurrentActivityTaskExecutions: 1 });
    await stack.smtp.waitFor(() => stack.smtp.messages().length >= videos + 5, 120_000);
    await stack.stopWorker('video');
    await stack.stopWorker('urgent');

    const kinds = stack.smtp.messages().map((m) => m.headers['x-floodgate-kind']);
    assert.deepEqual(
      kinds.slice(0, 5),
      Array(5).fill('password-reset'),
      `dispatch order: ${kinds.join(',')}`,
    );
    assert.deepEqual(kinds.slice(5), Array(videos).fill('video-ready'));
  });

  it("keeps one tenant's bulk batch from starving another tenant's few jobs", async () => {
    const run = randomUUID().slice(0, 8);
    const [bulk, few] = [`bulk-${run}`, `few-${run}`];
    // Webhooks held back: the jobs stay open after their submit, so only submits reach the queue.
    stack.provider!.setChaos({ delayMs: [600_000, 600_000] });
    await stack.startWorker('video', { enableNonLocalActivities: false });
    // The bulk tenant's whole batch is queued before the other tenant asks for anything.
    for (let i = 0; i < 200; i += 20) await Promise.all(Array.from({ length: 20 }, () => requestVideo(bulk)));
    await waitForActivityBacklog(stack, TASK_QUEUES.video, 200);
    await Promise.all(Array.from({ length: 10 }, () => requestVideo(few)));
    await waitForActivityBacklog(stack, TASK_QUEUES.video, 210);

    const order = await dispatchOrderOfSubmits(210);
    const bulkBefore = order.slice(0, order.lastIndexOf(few)).filter((t) => t === bulk).length;
    // FIFO would run all 200 bulk jobs first; equal-weight fairness interleaves the two keys.
    assert.ok(
      bulkBefore <= 40,
      `the few jobs' last ran after ${bulkBefore} of the bulk's 200: ${order.join(',')}`,
    );
  });

  it("dispatches paid video jobs' activities before free ones queued earlier", async () => {
    const run = randomUUID().slice(0, 8);
    const [free, paid] = [`free-${run}`, `paid-${run}`];
    stack.provider!.setChaos({ delayMs: [600_000, 600_000] });
    await stack.startWorker('video', { enableNonLocalActivities: false });
    const frees = await Promise.all(Array.from({ length: 20 }, () => requestVideo(free)));
    await waitForScheduledActivity(stack, frees, 'submitVideoJob');
    const paids = await Promise.all(Array.from({ length: 10 }, () => requestVideo(paid, { plan: 'paid' })));
    // Every paid submit is in the queue before the one-slot worker polls: a run whose first
    // workflow task came late would otherwise be dispatched after the free ones, priority or not.
    await waitForScheduledActivity(stack, paids, 'submitVideoJob');

    const order = await dispatchOrderOfSubmits(30);
    // The submit activities inherit their run's priority: paid (2) before free (4), whatever came first.
    assert.deepEqual(order.slice(0, 10), Array(10).fill(paid), `dispatch order: ${order.join(',')}`);
  });

  it("gives a tenant with TENANT_FAIRNESS_WEIGHTS=heavy=4 four dispatches to an unweighted tenant's one", async () => {
    const light = `light-${randomUUID().slice(0, 8)}`;
    stack.provider!.setChaos({ delayMs: [600_000, 600_000] });
    await stack.startWorker('video', { enableNonLocalActivities: false });
    // The unweighted tenant queues first, so FIFO would favour it.
    await Promise.all(Array.from({ length: 60 }, () => requestVideo(light)));
    await waitForActivityBacklog(stack, TASK_QUEUES.video, 60);
    await Promise.all(Array.from({ length: 60 }, () => requestVideo(WEIGHTED_TENANT)));
    await waitForActivityBacklog(stack, TASK_QUEUES.video, 120);

    const order = await dispatchOrderOfSubmits(120);
    // The first dispatches can follow arrival order: the server's matcher may have read part of
    // the light tenant's backlog before the heavy tenant's tasks were written (seen: up to ~20
    // light jobs among the first 20). The weighting is read from the 21st dispatch to the 70th,
    // while both tenants still have work waiting.
    const steady = order.slice(20, 70);
    const heavy = steady.filter((t) => t === WEIGHTED_TENANT).length;
    // Weight 4 against 1 is ~40 heavy and ~10 light of these 50; equal weights ~25 heavy; FIFO
    // would still be on the light tenant here (0 heavy).
    assert.ok(
      heavy >= 33 && steady.length - heavy >= 3,
      `the weighted tenant got ${heavy} of dispatches 21–70: ${order.join(',')}`,
    );
  });
});
