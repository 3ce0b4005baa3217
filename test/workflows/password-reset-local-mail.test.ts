import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { redeemUpdate, type ResetMailMode } from '../../src/shared/password-reset.js';
import type { passwordReset } from '../../src/workflows/password-reset.js';
import { createLocalDevEnv } from '../support/local-dev-env.js';
import { countEvents, LOCAL_ACTIVITY_MARKER, localActivityMarkers } from '../support/history-events.js';
import {
  startResetMail,
  tokenOf,
  untilTokenIssued,
  withResetRun,
  type ResetMail,
} from '../support/password-reset-run.js';
import { projectWorkflowBundle } from '../support/workflow-bundle.js';

const { EventType } = temporal.api.enums.v1;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * PASSWORD_RESET_MAIL_AS: the reset mail sent inside the workflow task that took the request
 * (`local-activity`, the default the API starts runs with) against an activity task (`activity`,
 * and every run started before the choice). On a real dev server, with real SMTP into a sink.
 */
describe('PasswordReset workflow: the mail inside the workflow task (dev server)', function () {
  this.timeout(60_000);
  let env: TestWorkflowEnvironment;
  let mail: ResetMail;
  // Recipients whose next SMTP transactions the sink answers 451 (a temporary failure).
  const failNext = new Map<string, number>();
  const input = (mailAs?: ResetMailMode) => ({ ttlMs: 30 * 60_000, cooldownMs: 60_000, mailAs });

  before(async function () {
    this.timeout(120_000);
    [env, mail] = await Promise.all([
      createLocalDevEnv(),
      startResetMail({
        rejectRecipient: (address) => {
          const left = failNext.get(address) ?? 0;
          if (left === 0) return undefined;
          failNext.set(address, left - 1);
          return { code: 451, message: 'try again later' };
        },
      }),
      projectWorkflowBundle(),
    ]);
  });
  after(async () => {
    await mail?.stop();
    await env?.teardown();
  });

  /** Requests a reset for a fresh user, waits for its mail and its token, and returns the run's history. */
  async function mailedReset(mailAs: ResetMailMode | undefined, beforeRequest?: (email: string) => void) {
    let events: HistoryEvent[] = [];
    let mailed = 0;
    let redeemed = false;
    let recipient = '';
    await withResetRun(env, mail, input(mailAs), async ({ request, mails, workflowId, email }) => {
      recipient = email;
      beforeRequest?.(email);
      await request();
      await mail.sink.waitFor(() => mails().length > 0, 20_000);
      const handle = env.client.workflow.getHandle<typeof passwordReset>(workflowId);
      await untilTokenIssued(handle);
      const token = tokenOf(mails()[0]!);
      redeemed = (await handle.executeUpdate(redeemUpdate, { args: [{ tokenHash: sha256(token) }] }))
        .redeemed;
      mailed = mails().length;
      events = (await handle.fetchHistory()).events ?? [];
    });
    return { events, mailed, redeemed, email: recipient };
  }

  it('local-activity: one workflow task and no activity task before the token, which redeems', async () => {
    const local = await mailedReset('local-activity');
    assert.deepEqual([local.mailed, local.redeemed], [1, true]);
    assert.equal(
      countEvents(local.events, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
      0,
      'an activity task',
    );
    assert.equal(localActivityMarkers(local.events), 1, 'the mail is one local-activity marker');
    // The request's task sent the mail and started the token's timer; the redeem is the second.
    assert.equal(countEvents(local.events, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED), 2);

    // The same reset as an activity task, as runs started before the choice still run it.
    const task = await mailedReset(undefined);
    assert.deepEqual([task.mailed, task.redeemed], [1, true]);
    assert.equal(countEvents(task.events, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED), 1);
    assert.equal(localActivityMarkers(task.events), 0);
    assert.ok(
      local.events.length < task.events.length,
      `local ${local.events.length} events, activity task ${task.events.length}`,
    );
  });

  it('local-activity: a temporary SMTP failure is retried in the worker and mails once', async () => {
    const { events, mailed, redeemed } = await mailedReset('local-activity', (email) =>
      failNext.set(email, 2),
    );
    assert.deepEqual([mailed, redeemed], [1, true]);
    assert.equal(countEvents(events, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED), 0);
    assert.equal(localActivityMarkers(events), 1, 'the retries leave one marker: the attempt that mailed');
    const marker = events.find((e) => e.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER);
    assert.ok(!marker?.markerRecordedEventAttributes?.failure, 'the marker records a failure');
  });
});
