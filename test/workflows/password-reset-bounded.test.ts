import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import type { WorkflowHandleWithSignaledRunId } from '@temporalio/client';
import nodemailer, { type Transporter } from 'nodemailer';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../../dev/smtp-sink/smtp-sink.js';
import { createEmailActivities } from '../../src/activities/email.js';
import {
  redeemUpdate,
  requestResetSignal,
  resetStatusQuery,
  type PasswordResetInput,
} from '../../src/shared/password-reset.js';
import type { passwordReset } from '../../src/workflows/password-reset.js';
import { freePort } from '../support/free-port.js';
import { createTimeSkippingEnv } from '../support/time-skipping.js';
import { projectWorkflowBundle } from '../support/workflow-bundle.js';

const TTL = 30 * 60_000;
const COOLDOWN = 60_000;
const HOUR = 3_600_000;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const tokenOf = (mail: ReceivedMail) =>
  /[?&]token=([\w-]+)/.exec(mail.text)?.[1] ?? assert.fail('no token in mail');

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
  let sink: SmtpSink;
  let transport: Transporter;

  before(async function () {
    this.timeout(120_000);
    [env, sink] = await Promise.all([
      createTimeSkippingEnv(),
      freePort().then((port) => startSmtpSink({ port })),
      projectWorkflowBundle(),
    ]);
    transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false });
  });
  after(async () => {
    transport?.close();
    await sink?.stop();
    await env?.teardown();
  });

  /** A worker on a fresh queue, and a reset run for a fresh user started with `input`. */
  async function withRun(
    input: PasswordResetInput,
    body: (ctx: {
      request: () => Promise<WorkflowHandleWithSignaledRunId>;
      mails: () => ReceivedMail[];
      workflowId: string;
    }) => Promise<void>,
  ): Promise<void> {
    const taskQueue = `pwreset-${randomUUID()}`;
    const email = `${randomUUID()}@example.test`;
    const workflowId = `pwreset-test-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await projectWorkflowBundle(),
      activities: createEmailActivities({
        transport,
        from: 'Floodgate <no-reply@floodgate.local>',
        resetUrlBase: 'http://localhost:3000/reset',
      }),
    });
    const request = () =>
      env.client.workflow.signalWithStart<typeof passwordReset, [{ userId: string; email: string }]>(
        'passwordReset',
        {
          workflowId,
          taskQueue,
          args: [input],
          signal: requestResetSignal,
          signalArgs: [{ userId: 'user-1', email }],
        },
      );
    const mails = () => sink.messages().filter((m) => m.to.includes(email));
    try {
      await worker.runUntil(body({ request, mails, workflowId }));
    } finally {
      // A run left open (a failed assertion) would hold the test server's clock at its next timer,
      // and every later sleep in this file would wait for a worker that has gone.
      await env.client.workflow
        .getHandle(workflowId)
        .terminate('test over')
        .catch(() => undefined);
    }
  }

  /** Waits until `runId` has closed: the server may show the next run before the last one's close is written. */
  async function closedHistory(workflowId: string, runId: string) {
    const handle = env.client.workflow.getHandle(workflowId, runId);
    for (let i = 0; i < 100; i++) {
      const { status } = await handle.describe();
      if (status.name !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return (await handle.fetchHistory()).events ?? [];
  }

  const waitForMails = (mails: () => ReceivedMail[], n: number) =>
    sink.waitFor(() => mails().length >= n, 10_000);

  it('continues as new before its history grows long; the token stays valid and the counts carry', async () => {
    const input = {
      ttlMs: TTL,
      cooldownMs: COOLDOWN,
      mailLimit: 3,
      mailWindowMs: HOUR,
      maxHistoryEvents: 40,
    };
    await withRun(input, async ({ request, mails, workflowId }) => {
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
      const events = await closedHistory(workflowId, firstRunId);
      // Signals that land while it continues cost a few more events; 30 repeats in one run would be ~130.
      assert.ok(events.length <= 2 * input.maxHistoryEvents, `the first run kept ${events.length} events`);
      assert.equal(
        events.at(-1)?.eventType,
        temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
      );

      assert.deepEqual(await handle.executeUpdate(redeemUpdate, { args: [{ tokenHash: sha256(token) }] }), {
        redeemed: true,
      });
      assert.equal((await handle.result()).outcome, 'redeemed');
      assert.equal(mails().length, 1);
    });
  });

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
