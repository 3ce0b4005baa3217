import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { ReceivedMail } from '../../dev/smtp-sink/smtp-sink.js';
import { createApp } from '../../src/api/app.js';
import { createApiMetrics } from '../../src/api/metrics.js';
import { passwordResetWorkflowId } from '../../src/api/password-reset-id.js';
import { createLogger } from '../../src/logger.js';
import { resetStatusQuery, type PasswordResetStatus } from '../../src/shared/password-reset.js';
import { freePort } from '../support/free-port.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const PER_ADDRESS = 3;
const OVERALL_PER_SECOND = 5;
const COOLDOWN_S = 60;

interface Answer {
  userId: string;
  status: number;
  retryAfter: string | null;
  body: { error?: { code: string; message: string } };
}

/**
 * Reset floods through the real API over HTTP, a Temporal dev server and the SMTP sink: what a
 * flood is refused with, how many mails reach the sink, and what reaches workflow history.
 */
describe('password-reset limits: floods are refused before history (dev server, SMTP sink, API)', function () {
  this.timeout(120_000);
  let stack: TestStack;

  before(async function () {
    stack = await startTestStack({
      lanes: ['urgent'],
      provider: false,
      env: {
        PASSWORD_RESET_COOLDOWN: `${COOLDOWN_S}s`,
        PASSWORD_RESET_USER_LIMIT: '3',
        PASSWORD_RESET_ADDRESS_LIMIT: String(PER_ADDRESS),
        PASSWORD_RESET_OVERALL_LIMIT: String(OVERALL_PER_SECOND),
      },
    });
  });
  after(async () => {
    await stack?.stop();
  });

  /** Sends every request, `concurrency` at a time, and keeps each answer. */
  async function flood(
    requests: Array<{ userId: string; email: string }>,
    send: (json: unknown) => Promise<Response> = (json) =>
      stack.api('/password-resets', { method: 'POST', json }),
    concurrency = 25,
  ): Promise<Answer[]> {
    const answers: Answer[] = [];
    let next = 0;
    const lane = async () => {
      while (next < requests.length) {
        const request = requests[next++]!;
        const res = await send(request);
        const body = (await res.json()) as Answer['body'];
        answers.push({
          userId: request.userId,
          status: res.status,
          retryAfter: res.headers.get('retry-after'),
          body,
        });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    return answers;
  }

  const handleOf = (userId: string) =>
    stack.client.workflow.getHandle(passwordResetWorkflowId(userId, stack.config.passwordReset.idKey));
  const mailsTo = (pred: (to: string) => boolean) =>
    stack.smtp.messages().filter((m: ReceivedMail) => m.to.some((to) => pred(to.toLowerCase())));

  /** The run's status once it has recorded its mail (the sink sees the mail a moment before the run does). */
  async function statusAfterMail(userId: string): Promise<PasswordResetStatus> {
    let status = await handleOf(userId).query(resetStatusQuery);
    for (let i = 0; i < 100 && status.mailsSent === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = await handleOf(userId).query(resetStatusQuery);
    }
    return status;
  }

  /** What the API's /metrics says it refused over one limit. */
  async function refusedCount(scope: string): Promise<number> {
    const page = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    const line = page
      .split('\n')
      .find((l) => l.startsWith(`floodgate_password_reset_refused_total{scope="${scope}"}`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  }

  /**
   * A refused request must have left no run behind: nothing of it reached Temporal. Checked for
   * 100 of them picked at random (every describe is a call to the server).
   */
  async function assertNoRun(refusedIds: string[]): Promise<void> {
    const userIds = [...refusedIds].sort(() => Math.random() - 0.5).slice(0, 100);
    let i = 0;
    const lane = async () => {
      while (i < userIds.length) {
        const userId = userIds[i++]!;
        await assert.rejects(
          handleOf(userId).describe(),
          WorkflowNotFoundError,
          `a run exists for ${userId}`,
        );
      }
    };
    await Promise.all(Array.from({ length: 10 }, lane));
  }

  function assertRefusal(answer: Answer, scope: RegExp, maxRetryAfterS: number): void {
    assert.equal(answer.status, 429);
    assert.equal(answer.body.error?.code, 'rate_limited');
    assert.match(answer.body.error?.message ?? '', scope);
    const retryAfter = Number(answer.retryAfter);
    assert.ok(
      Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= maxRetryAfterS,
      `Retry-After ${answer.retryAfter}`,
    );
  }

  it('1,000 requests for one user: one 202, 999 × 429 with Retry-After, one mail, a short history', async () => {
    const userId = `user-${randomUUID()}`;
    const email = `${randomUUID()}@example.test`;
    const refusedBefore = await refusedCount('user');
    const answers = await flood(Array.from({ length: 1_000 }, () => ({ userId, email })));

    assert.equal(answers.filter((a) => a.status === 202).length, 1);
    const refused = answers.filter((a) => a.status !== 202);
    assert.equal(refused.length, 999);
    for (const answer of refused) assertRefusal(answer, /for this user/, COOLDOWN_S);
    assert.equal((await refusedCount('user')) - refusedBefore, 999, 'refusals counted in /metrics');

    await stack.smtp.waitFor((m) => m.to.includes(email), 20_000);
    const handle = handleOf(userId);
    const status = await statusAfterMail(userId);
    assert.deepEqual(
      [status.mailsSent, status.requestsIgnored],
      [1, 0],
      'only the admitted request reached the run',
    );
    assert.equal(mailsTo((to) => to === email).length, 1);
    const events = (await handle.fetchHistory()).events ?? [];
    assert.ok(events.length <= 20, `the run's history has ${events.length} events`);
  });

  it(`1,000 user ids for one address (case and +tags varied): ${PER_ADDRESS} mails, no run for the rest`, async () => {
    const mailbox = randomUUID();
    const variants = [
      `${mailbox}@example.test`,
      `${mailbox.toUpperCase()}@EXAMPLE.test`,
      `${mailbox}+x@example.test`,
    ];
    const requests = Array.from({ length: 1_000 }, (_, i) => ({
      userId: `user-${randomUUID()}`,
      email: `${variants[i % 3]!.replace('+x', `+${i}`)}`,
    }));
    const answers = await flood(requests);

    const admitted = answers.filter((a) => a.status === 202);
    assert.equal(admitted.length, PER_ADDRESS);
    const refused = answers.filter((a) => a.status !== 202);
    for (const answer of refused) assertRefusal(answer, /for this email address/, 3_600);

    const ours = (to: string) => to.startsWith(mailbox);
    await stack.smtp.waitFor(() => mailsTo(ours).length >= PER_ADDRESS, 30_000);
    for (const { userId } of admitted) assert.equal((await statusAfterMail(userId)).mailsSent, 1);
    await assertNoRun(refused.map((a) => a.userId));
    assert.equal(mailsTo(ours).length, PER_ADDRESS);
  });

  it(`over ${OVERALL_PER_SECOND} requests a second from distinct users and addresses: 429 "right now", no run for them`, async () => {
    const startedAt = Date.now();
    const requests = Array.from({ length: 200 }, () => ({
      userId: `user-${randomUUID()}`,
      email: `${randomUUID()}@example.test`,
    }));
    const answers = await flood(requests);
    const seconds = Math.floor((Date.now() - startedAt) / 1_000) + 1;

    const admitted = answers.filter((a) => a.status === 202);
    assert.ok(admitted.length >= 1, 'some were admitted');
    assert.ok(
      admitted.length <= OVERALL_PER_SECOND * seconds,
      `${admitted.length} admitted in ${seconds} s (limit ${OVERALL_PER_SECOND}/s)`,
    );
    const refused = answers.filter((a) => a.status !== 202);
    for (const answer of refused) assertRefusal(answer, /right now/, 1);
    await assertNoRun(refused.map((a) => a.userId));
  });

  it('two API replicas: the run still mails one user once per cool-down; the per-address limit is per replica', async () => {
    // The test before fills this API's overall allowance (5 a second), which would refuse every
    // request here as "right now" until its second has passed; this test is about the other limits.
    await new Promise((r) => setTimeout(r, 1_100));
    // A second replica: the same app, config and Temporal, its own process-local limits.
    const port = await freePort();
    const log = createLogger('test', 'warn');
    const replica: Server = createApp({
      config: stack.config,
      client: stack.client,
      log,
      metrics: createApiMetrics(),
    }).listen(port, '127.0.0.1');
    await new Promise<void>((resolve) => replica.once('listening', resolve));
    try {
      const viaReplica = (json: unknown) =>
        fetch(`http://127.0.0.1:${port}/password-resets`, {
          method: 'POST',
          headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(json),
        });
      const both = (json: unknown) =>
        Math.random() < 0.5 ? viaReplica(json) : stack.api('/password-resets', { method: 'POST', json });

      const userId = `user-${randomUUID()}`;
      const email = `${randomUUID()}@example.test`;
      const perUser = await flood(
        Array.from({ length: 200 }, () => ({ userId, email })),
        both,
      );
      await stack.smtp.waitFor((m) => m.to.includes(email), 20_000);
      const status = await statusAfterMail(userId);
      // Each replica may admit one; the run ignores the second inside its cool-down.
      assert.ok(perUser.filter((a) => a.status === 202).length <= 2);
      assert.equal(status.mailsSent, 1);
      assert.equal(mailsTo((to) => to === email).length, 1);

      const mailbox = `${randomUUID()}@example.test`;
      const requests = Array.from({ length: 100 }, () => ({
        userId: `user-${randomUUID()}`,
        email: mailbox,
      }));
      const perAddress = await flood([...requests.slice(0, 50)]);
      const perAddressReplica = await flood(requests.slice(50), viaReplica);
      const refusals = (answers: Answer[]) =>
        JSON.stringify([...new Set(answers.map((a) => a.body.error?.message ?? a.status))]);
      const admitted = [...perAddress, ...perAddressReplica].filter((a) => a.status === 202).length;
      assert.equal(
        admitted,
        2 * PER_ADDRESS,
        `documented: each replica admits its own allowance; answers: ${refusals(perAddress)}, ${refusals(perAddressReplica)}`,
      );
    } finally {
      await new Promise<void>((resolve) => {
        replica.close(() => resolve());
        replica.closeAllConnections();
      });
    }
  });
});
