import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, WorkflowUpdateStage, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { ReceivedMail } from '../../dev/smtp-sink/smtp-sink.js';
import {
  REDEEM_FAILURE,
  redeemUpdate,
  requestResetSignal,
  resetStatusQuery,
} from '../../src/shared/password-reset.js';
import type { passwordReset } from '../../src/workflows/password-reset.js';
import {
  startResetMail,
  tokenOf,
  untilTokenIssued,
  withResetRun,
  type ResetMail,
} from '../support/password-reset-run.js';
import { createTimeSkippingEnv } from '../support/time-skipping.js';
import { projectWorkflowBundle } from '../support/workflow-bundle.js';

const TTL = 30 * 60_000;
const COOLDOWN = 60_000;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('PasswordReset workflow (time-skipping)', function () {
  let env: TestWorkflowEnvironment;
  let mail: ResetMail;
  let workflowBundle: WorkflowBundleWithSourceMap;

  before(async function () {
    this.timeout(120_000);
    [env, mail, workflowBundle] = await Promise.all([
      createTimeSkippingEnv(),
      startResetMail(),
      projectWorkflowBundle(),
    ]);
  });
  after(async () => {
    await mail?.stop();
    await env?.teardown();
  });

  /** Runs `body` with a worker on a fresh queue and a reset requested for a fresh user. */
  async function withReset(
    body: (ctx: {
      handle: WorkflowHandle<typeof passwordReset>;
      email: string;
      request: () => Promise<unknown>;
      nextMail: () => Promise<ReceivedMail>;
    }) => Promise<void>,
  ): Promise<void> {
    await withResetRun(
      env,
      mail,
      { ttlMs: TTL, cooldownMs: COOLDOWN },
      async ({ request, mails, workflowId, email }) => {
        let seen = 0;
        const nextMail = async () => {
          const index = seen++;
          await mail.sink.waitFor(() => mails().length > index, 10_000);
          return mails()[index]!;
        };
        await request();
        await body({ handle: env.client.workflow.getHandle(workflowId), email, request, nextMail });
      },
    );
  }

  const redeem = (handle: WorkflowHandle<typeof passwordReset>, token: string) =>
    handle.executeUpdate(redeemUpdate, { args: [{ tokenHash: sha256(token) }] });

  async function rejectedWith(promise: Promise<unknown>, type: string, message?: string): Promise<void> {
    await assert.rejects(promise, (err: unknown) => {
      assert.ok(err instanceof WorkflowUpdateFailedError, `expected an update failure, got ${String(err)}`);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, type);
      if (message !== undefined) assert.equal(err.cause.message, message);
      return true;
    });
  }

  it('mails a token whose hash redeems exactly once', async () => {
    await withReset(async ({ handle, nextMail }) => {
      const mail = await nextMail();
      assert.match(mail.html ?? '', /href="http:\/\/localhost:3000\/reset\?userId=user-1&amp;token=/);
      const token = tokenOf(mail);
      await untilTokenIssued(handle);
      const { runId } = await handle.describe();
      assert.deepEqual(await redeem(handle, token), { redeemed: true });
      const result = await handle.result();
      assert.equal(result.outcome, 'redeemed');
      assert.equal(result.tokenHash, sha256(token));
      // It ended in that run: a redeemed reset has nothing to hand on to a next one.
      const run = await env.client.workflow.getHandle(handle.workflowId, runId).describe();
      assert.equal(run.status.name, 'COMPLETED');
      // The run has ended: a second redeem reaches no running workflow.
      await assert.rejects(redeem(handle, token));
    });
  });

  it('rejects a wrong token and keeps the right one valid', async () => {
    await withReset(async ({ handle, nextMail }) => {
      const token = tokenOf(await nextMail());
      // Until the run has the token, a redeem waits in the handler (and is written to history)
      // rather than being refused at the door.
      await untilTokenIssued(handle);
      await rejectedWith(redeem(handle, `${token}x`), REDEEM_FAILURE.invalid);
      await rejectedWith(redeem(handle, 'not-a-token'), REDEEM_FAILURE.invalid);
      // A hash that is not even a string, while a token exists.
      const notAString = { length: 64 } as unknown as string;
      await rejectedWith(
        handle.executeUpdate(redeemUpdate, { args: [{ tokenHash: notAString }] }),
        REDEEM_FAILURE.invalid,
        'token invalid',
      );
      assert.equal((await handle.query(resetStatusQuery)).used, false);
      // Refused by the validator: a wrong guess leaves nothing in the run's history.
      const events = (await handle.fetchHistory()).events ?? [];
      const updates = events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
      assert.equal(updates.length, 0, 'a refused redeem was written to history');
      await redeem(handle, token);
      assert.equal((await handle.result()).outcome, 'redeemed');
    });
  });

  it('expires the token on a durable timer after the TTL', async () => {
    await withReset(async ({ handle, nextMail }) => {
      await nextMail();
      await env.sleep(TTL - 60_000);
      assert.equal((await handle.describe()).status.name, 'RUNNING');
      const { runId } = await handle.describe();
      await env.sleep(2 * 60_000);
      const result = await handle.result();
      assert.equal(result.outcome, 'expired');
      const run = await env.client.workflow.getHandle(handle.workflowId, runId).describe();
      assert.equal(run.status.name, 'COMPLETED', 'an expired reset ends; it does not continue as new');
    });
  });

  it('sends no second mail inside the cool-down, then replaces the token after it', async () => {
    await withReset(async ({ handle, request, nextMail, email }) => {
      const first = tokenOf(await nextMail());
      await request();
      await env.sleep(COOLDOWN / 2);
      const status = await handle.query(resetStatusQuery);
      assert.equal(status.mailsSent, 1);
      assert.equal(status.requestsIgnored, 1);
      assert.equal(mail.sink.messages().filter((m) => m.to.includes(email)).length, 1);

      await env.sleep(COOLDOWN);
      await request();
      const second = tokenOf(await nextMail());
      assert.notEqual(second, first);
      await rejectedWith(redeem(handle, first), REDEEM_FAILURE.invalid);
      await redeem(handle, second);
      assert.equal((await handle.result()).outcome, 'redeemed');
    });
  });

  it('answers a redeem that arrives while a mail is being sent only after it: the mailed token redeems once, the replaced one is invalid', async () => {
    const taskQueue = `pwreset-${randomUUID()}`;
    const workflowId = `pwreset-test-${randomUUID()}`;
    // The mail activity hands out known hashes; the second mail stays "being sent" until released.
    const mailed: string[] = [];
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let secondMailSending: () => void = () => undefined;
    const sending = new Promise<void>((resolve) => (secondMailSending = resolve));
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle,
      activities: {
        async sendPasswordResetEmail() {
          const tokenHash = `hash-${mailed.length + 1}`;
          mailed.push(tokenHash);
          if (mailed.length === 2) {
            secondMailSending();
            await released;
          }
          return { tokenHash, expiresAt: 0 };
        },
      },
    });
    const request = () =>
      env.client.workflow.signalWithStart('passwordReset', {
        workflowId,
        taskQueue,
        args: [{ ttlMs: TTL, cooldownMs: COOLDOWN }],
        signal: requestResetSignal,
        signalArgs: [{ userId: 'user-1', email: 'race@example.test' }],
      });
    // A failed check must still let the held mail finish, or the worker's shutdown would wait on it.
    await worker.runUntil(raceRedeems().finally(release));
    async function raceRedeems() {
      await request();
      const handle = env.client.workflow.getHandle<typeof passwordReset>(workflowId);
      for (let i = 0; i < 100 && (await handle.query(resetStatusQuery)).mailsSent < 1; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal((await handle.query(resetStatusQuery)).mailsSent, 1, 'the first mail was sent');
      await env.sleep(COOLDOWN + 1_000);
      await request();
      await sending;

      const redeemWith = (tokenHash: string) =>
        handle.startUpdate(redeemUpdate, {
          args: [{ tokenHash }],
          waitForStage: WorkflowUpdateStage.ACCEPTED,
        });
      const replaced = await redeemWith('hash-1');
      const beingMailed = await redeemWith('hash-2');
      // Both pass the validator while the mail is in flight; only the first may use the token.
      const twice = await redeemWith('hash-2');
      const during = await handle.query(resetStatusQuery);
      assert.deepEqual(
        [during.used, during.mailsSent],
        [false, 1],
        'both redeems wait for the mail in flight',
      );

      release();
      await rejectedWith(replaced.result(), REDEEM_FAILURE.invalid);
      assert.deepEqual(await beingMailed.result(), { redeemed: true });
      await rejectedWith(twice.result(), REDEEM_FAILURE.used, 'token already used');
      const result = await handle.result();
      assert.deepEqual([result.outcome, result.tokenHash], ['redeemed', 'hash-2']);
      assert.deepEqual(mailed, ['hash-1', 'hash-2'], 'one mail per request, none sent again for a redeem');
    }
  });

  it('refuses every redeem before a token exists, and ends as never-requested when no request comes within the TTL', async () => {
    const taskQueue = `pwreset-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle,
      activities: {
        async sendPasswordResetEmail(): Promise<never> {
          throw new Error('no mail is due');
        },
      },
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('passwordReset', {
        workflowId: `pwreset-test-${randomUUID()}`,
        taskQueue,
        args: [{ ttlMs: TTL, cooldownMs: COOLDOWN }],
      });
      assert.equal((await handle.query(resetStatusQuery)).tokenIssued, false);
      // No token was mailed yet: any redeem is invalid, also one whose hash is not even a string.
      for (const tokenHash of ['0'.repeat(64), { length: 64 } as unknown as string]) {
        await rejectedWith(
          handle.executeUpdate(redeemUpdate, { args: [{ tokenHash }] }),
          REDEEM_FAILURE.invalid,
          'token invalid',
        );
      }
      assert.deepEqual(await handle.result(), { outcome: 'never-requested' });
    });
  });

  it('never puts the raw token into workflow history', async () => {
    await withReset(async ({ handle, nextMail }) => {
      const token = tokenOf(await nextMail());
      await redeem(handle, token);
      await handle.result();
      const history = JSON.stringify(await handle.fetchHistory());
      const decoded = JSON.stringify(
        await env.client.workflowService.getWorkflowExecutionHistory({
          namespace: 'default',
          execution: { workflowId: handle.workflowId },
        }),
      );
      for (const text of [history, decoded, Buffer.from(history).toString('base64')]) {
        assert.ok(!text.includes(token), 'raw token found in history');
      }
      // Payloads are base64 JSON inside the history: decode every payload and search there too.
      const payloads = [...history.matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)].map((m) =>
        Buffer.from(m[1]!, 'base64').toString('utf8'),
      );
      assert.ok(
        payloads.some((p) => p.includes(sha256(token))),
        'the hash, not the token, is what history keeps',
      );
      assert.ok(payloads.every((p) => !p.includes(token)));
    });
  });
});
