import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import type { ReceivedMail } from '../../dev/smtp-sink/smtp-sink.js';
import { resetStatusQuery, type PasswordResetInput } from '../../src/shared/password-reset.js';
import type { passwordReset } from '../../src/workflows/password-reset.js';
import {
  startResetMail,
  withResetRun,
  type ResetMail,
  type ResetRun,
} from '../support/password-reset-run.js';
import { createTimeSkippingEnv } from '../support/time-skipping.js';
import { projectWorkflowBundle } from '../support/workflow-bundle.js';

const COOLDOWN = 60_000;
const HOUR = 3_600_000;

/**
 * A run recorded (protobuf bytes) from the workflow as it was before the limits: a mail, 120
 * requests ignored in the cool-down (169 events in all), a second mail after it, a redeem. It was
 * started with `mailLimit: 1, maxHistoryEvents: 100`, which that code ignored: the new code,
 * unpatched, would refuse the second mail and continue as new, so the replay fails without the patch.
 */
const BEFORE_LIMITS = new URL('./histories/password-reset-before-limits.bin', import.meta.url);

describe('PasswordReset workflow: bounded runs (time-skipping)', function () {
  this.timeout(120_000);
  let env: TestWorkflowEnvironment;
  let mail: ResetMail;

  before(async function () {
    this.timeout(120_000);
    [env, mail] = await Promise.all([createTimeSkippingEnv(), startResetMail(), projectWorkflowBundle()]);
  });
  after(async () => {
    await mail?.stop();
    await env?.teardown();
  });

  const withRun = (input: PasswordResetInput, body: (run: ResetRun) => Promise<void>) =>
    withResetRun(env, mail, input, body);

  const waitForMails = (mails: () => ReceivedMail[], n: number) =>
    mail.sink.waitFor(() => mails().length >= n, 10_000);

  it('mails one user at most mailLimit times per window, whoever admits the requests', async () => {
    // Tokens outlive the window here, so one run sees the window pass.
    const input = { ttlMs: 2 * HOUR, cooldownMs: COOLDOWN, mailLimit: 2, mailWindowMs: HOUR };
    await withRun(input, async ({ request, mails, workflowId }) => {
      await request();
      await waitForMails(mails, 1);
      await env.sleep(2 * COOLDOWN);
      await request();
      await waitForMails(mails, 2);
      await env.sleep(2 * COOLDOWN);
      await request();
      // Once the run has taken the third request in (ignored, or a third mail):
      const handle = env.client.workflow.getHandle<typeof passwordReset>(workflowId);
      let status = await handle.query(resetStatusQuery);
      for (let i = 0; i < 100 && status.requestsIgnored + status.mailsSent < 3; i++) {
        await new Promise((r) => setTimeout(r, 50));
        status = await handle.query(resetStatusQuery);
      }
      assert.deepEqual([status.mailsSent, status.requestsIgnored], [2, 1], 'a third mail inside the hour');
      assert.equal(mails().length, 2);

      // Once the first mail has left the window, a request mails again.
      await env.sleep(HOUR);
      await request();
      await waitForMails(mails, 3);
    });
  });

  it('replays a run recorded before the limits (running resets survive the upgrade)', async () => {
    const history = temporal.api.history.v1.History.decode(readFileSync(BEFORE_LIMITS));
    await Worker.runReplayHistory(
      { workflowBundle: await projectWorkflowBundle(), replayName: 'passwordReset' },
      history,
      'password-reset-before-limits',
    );
  });
});
