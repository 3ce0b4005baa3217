import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ReceivedMail } from '../../dev/smtp-sink/smtp-sink.js';
import { redeemUpdate, resetStatusQuery } from '../../src/shared/password-reset.js';
import type { passwordReset } from '../../src/workflows/password-reset.js';
import { createLocalDevEnv } from '../support/local-dev-env.js';
import { startResetMail, tokenOf, withResetRun, type ResetMail } from '../support/password-reset-run.js';
import { projectWorkflowBundle } from '../support/workflow-bundle.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Requests that keep arriving while a run continues as new. On a real dev server, not the
 * time-skipping one: that server now and then closed the run as continued-as-new without writing
 * its last workflow task, and then held its clock on that task for good.
 */
describe('PasswordReset workflow: continues as new under a stream of requests (dev server)', function () {
  this.timeout(120_000);
  let env: TestWorkflowEnvironment;
  let mail: ResetMail;

  before(async function () {
    [env, mail] = await Promise.all([createLocalDevEnv(), startResetMail(), projectWorkflowBundle()]);
  });
  after(async () => {
    await mail?.stop();
    await env?.teardown();
  });

  /** How `runId` ended (waiting while it still runs) and how many events it kept. */
  async function endOfRun(workflowId: string, runId: string) {
    const handle = env.client.workflow.getHandle(workflowId, runId);
    let described = await handle.describe();
    for (let i = 0; i < 100 && described.status.name === 'RUNNING'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      described = await handle.describe();
    }
    const events = (await handle.fetchHistory()).events ?? [];
    return { status: described.status.name, events: events.length, lastEvent: events.at(-1)?.eventType };
  }

  const waitForMails = (mails: () => ReceivedMail[], n: number) =>
    mail.sink.waitFor(() => mails().length >= n, 10_000);

  it('continues as new before its history grows long; the token stays valid and the counts carry', async () => {
    const input = {
      ttlMs: 30 * 60_000,
      cooldownMs: 60_000,
      mailLimit: 3,
      mailWindowMs: 3_600_000,
      maxHistoryEvents: 40,
    };
    await withResetRun(env, mail, input, async ({ request, mails, workflowId }) => {
      const firstRunId = (await request()).signaledRunId;
      await waitForMails(mails, 1);
      const token = tokenOf(mails()[0]!);
      // Repeats inside the cool-down send nothing, but each is a signal in history.
      for (let i = 0; i < 30; i++) await request();
      const handle = env.client.workflow.getHandle<typeof passwordReset>(workflowId);
      const status = await handle.query(resetStatusQuery);
      assert.deepEqual([status.mailsSent, status.requestsIgnored], [1, 30]);

      const { runId } = await handle.describe();
      assert.notEqual(runId, firstRunId, 'still the first run');
      const firstRun = await endOfRun(workflowId, firstRunId);
      assert.equal(firstRun.status, 'CONTINUED_AS_NEW');
      assert.equal(
        firstRun.lastEvent,
        temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
      );
      // Signals that land while it continues cost a few more events; 30 repeats in one run would be ~130.
      assert.ok(
        firstRun.events <= 2 * input.maxHistoryEvents,
        `the first run kept ${firstRun.events} events`,
      );

      assert.deepEqual(await handle.executeUpdate(redeemUpdate, { args: [{ tokenHash: sha256(token) }] }), {
        redeemed: true,
      });
      assert.equal((await handle.result()).outcome, 'redeemed');
      assert.equal(mails().length, 1);
    });
  });
});
