import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { temporal } from '@temporalio/proto';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../../dev/smtp-sink/smtp-sink.js';
import { passwordResetWorkflowId } from '../../src/api/password-reset-id.js';
import { requestResetSignal } from '../../src/shared/password-reset.js';
import { PRIORITY, TASK_QUEUES } from '../../src/shared/task-queues.js';
import { createDataConverter } from '../../src/temporal/data-converter.js';
import { countEvents, localActivityMarkers } from '../support/history-events.js';
import { decodePayloads, historyBytes, historyPayloads, payloadBytes } from '../support/history-payloads.js';
import { containsAny, secretEncodings } from '../support/secret-encodings.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const TTL_MS = 8_000;
const tokenOf = (mail: ReceivedMail) =>
  /[?&]token=([\w-]+)/.exec(mail.text)?.[1] ?? assert.fail('no token in mail');

describe('password resets end to end (dev server, SMTP sink, API)', function () {
  this.timeout(90_000);
  let stack: TestStack;
  let revivedSink: SmtpSink | undefined;

  before(async function () {
    this.timeout(120_000);
    stack = await startTestStack({
      lanes: ['urgent'],
      provider: false,
      env: { PASSWORD_RESET_TTL: `${TTL_MS}ms`, PASSWORD_RESET_COOLDOWN: '60s' },
    });
  });
  after(async () => {
    await revivedSink?.stop();
    await stack?.stop();
  });

  const requestReset = (userId: string, email: string) =>
    stack.api('/password-resets', { method: 'POST', json: { userId, email } });
  const redeem = (userId: string, token: string) =>
    stack.api('/password-resets/redeem', { method: 'POST', json: { userId, token } });
  /** The SMTP server the stack mails to now: the outage test replaces the stack's own. */
  const sink = () => revivedSink ?? stack.smtp;
  const mailTo = (server: SmtpSink, email: string, timeoutMs = 20_000) =>
    server.waitFor((m) => m.to.includes(email), timeoutMs);

  it('answers 202 before the mail is sent, mails a token that redeems exactly once, and keeps the token out of history', async () => {
    const userId = `user-${randomUUID()}`;
    const email = `${randomUUID()}@example.test`;
    const res = await requestReset(userId, email);
    // The route records the request and answers; the mail goes out from the urgent worker after.
    // A route that waited for the send would find the mail in the sink already.
    const inSinkAt202 = sink()
      .messages()
      .filter((m) => m.to.includes(email)).length;
    assert.equal(res.status, 202);
    assert.equal(inSinkAt202, 0, 'the 202 came after the mail had landed: the route waited for the send');
    const token = tokenOf(await mailTo(sink(), email));

    assert.equal((await redeem(userId, `${token}-wrong`)).status, 400);
    const first = await redeem(userId, token);
    assert.equal(first.status, 200, await first.text());
    const second = await redeem(userId, token);
    assert.equal(second.status, 410);
    assert.equal(
      (await redeem(userId, 'guess')).status,
      400,
      'a wrong token stays "invalid" after the run ends',
    );

    const workflowId = passwordResetWorkflowId(userId, stack.config.passwordReset.idKey);
    assert.ok(!workflowId.includes(userId));
    const handle = stack.client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    assert.equal(description.taskQueue, 'urgent');
    assert.equal(description.raw.workflowExecutionInfo?.priority?.priorityKey, 1);

    // The history as stored (no codec), and every payload in it decoded with the stack's codec.
    const history = await handle.fetchHistory();
    // PASSWORD_RESET_MAIL_AS's default: the mail went out inside the workflow task, no activity task.
    const events = history.events ?? [];
    const { EventType } = temporal.api.enums.v1;
    assert.equal(countEvents(events, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED), 0);
    assert.equal(localActivityMarkers(events), 1, 'the mail as one local activity');
    const stored = historyPayloads(history);
    const codecs = createDataConverter(stack.config).payloadCodecs ?? [];
    const decoded = (await decodePayloads(stored, codecs)).flatMap(payloadBytes);
    // Controls: the search sees into decoded payloads (the address, the token's hash are there)
    // and encryption hides the address from the stored bytes.
    const tokenHash = createHash('sha256').update(token, 'utf8').digest('hex');
    assert.ok(containsAny(decoded, secretEncodings(email)), 'the decoded request holds the address');
    assert.ok(containsAny(decoded, secretEncodings(tokenHash)), 'the decoded result holds the hash');
    assert.equal(containsAny([historyBytes(history)], secretEncodings(email)), false, 'address encrypted');
    const needles = secretEncodings(token);
    assert.equal(containsAny([historyBytes(history)], needles), false, 'token in the stored history');
    assert.equal(containsAny(decoded, needles), false, 'token in a decoded payload');
  });

  it('PASSWORD_RESET_MAIL_AS=activity: hands the reset mail to the urgent worker in the reply to its workflow task, without a trip through matching', async () => {
    // The server counts each activity it dispatched eagerly, per task queue.
    const eagerDispatches = async () => {
      const page = await (await fetch(stack.devServerMetricsUrl)).text();
      const series = page
        .split('\n')
        .filter(
          (line) => line.startsWith('activity_eager_execution{') && line.includes('taskqueue="urgent"'),
        );
      return series.reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
    };
    // The server's metrics reach its Prometheus page on a reporting interval, so a count is
    // read once it has held still for 2 s (earlier tests' resets may still be arriving).
    const settledCount = async () => {
      let [last, steadyReads] = [await eagerDispatches(), 0];
      for (let i = 0; i < 60 && steadyReads < 4; i++) {
        await new Promise((r) => setTimeout(r, 500));
        const now = await eagerDispatches();
        steadyReads = now === last ? steadyReads + 1 : 0;
        last = now;
      }
      return last;
    };
    const before = await settledCount();
    const email = `${randomUUID()}@example.test`;
    // Started as the API starts it with PASSWORD_RESET_MAIL_AS=activity, served by the stack's worker.
    const { ttlMs, cooldownMs } = stack.config.passwordReset;
    await stack.client.workflow.signalWithStart('passwordReset', {
      workflowId: `pwreset-eager-${randomUUID()}`,
      taskQueue: 'urgent',
      args: [{ ttlMs, cooldownMs, mailAs: 'activity' }],
      signal: requestResetSignal,
      signalArgs: [{ userId: `user-${randomUUID()}`, email }],
      priority: { priorityKey: PRIORITY.passwordReset },
    });
    await mailTo(sink(), email);
    // Counted once the next report reaches the page; how many (a late report of an earlier
    // reset may join it) is the server's timing, that there is one is the behaviour.
    let after = before;
    for (let i = 0; i < 60 && after <= before; i++) {
      await new Promise((r) => setTimeout(r, 250));
      after = await eagerDispatches();
    }
    assert.ok(
      after > before,
      `eager dispatches on the urgent queue: ${before} before the reset, ${after} after`,
    );
  });

  it('answers 410 for a token that expired', async () => {
    const userId = `user-${randomUUID()}`;
    const email = `${randomUUID()}@example.test`;
    assert.equal((await requestReset(userId, email)).status, 202);
    const token = tokenOf(await mailTo(sink(), email));
    const handle = stack.client.workflow.getHandle(
      passwordResetWorkflowId(userId, stack.config.passwordReset.idKey),
    );
    assert.equal((await handle.result()).outcome, 'expired');
    assert.equal((await redeem(userId, token)).status, 410);
  });

  it('validates input: names the field, requires the API key, 400 for an unknown user', async () => {
    const missing = await stack.api('/password-resets', { method: 'POST', json: { userId: 'u1' } });
    assert.equal(missing.status, 400);
    assert.match(((await missing.json()) as { error: { message: string } }).error.message, /^email:/);
    const badEmail = await requestReset('u1', 'not-an-address');
    assert.equal(badEmail.status, 400);
    const noToken = await stack.api('/password-resets/redeem', { method: 'POST', json: { userId: 'u1' } });
    assert.match(((await noToken.json()) as { error: { message: string } }).error.message, /^token:/);
    const noKey = await stack.api('/password-resets', {
      method: 'POST',
      headers: { authorization: 'Bearer nope' },
      json: { userId: 'u1', email: 'a@example.test' },
    });
    assert.equal(noKey.status, 401);
    assert.equal((await redeem(`nobody-${randomUUID()}`, 'whatever')).status, 400);
  });

  it('delivers the mail after the SMTP server comes back from an outage', async () => {
    const userId = `user-${randomUUID()}`;
    const email = `${randomUUID()}@example.test`;
    const port = sink().port;
    await sink().stop();
    // The port answers no SMTP while the server is down: every connection is dropped at once.
    let attempts = 0;
    const down = createServer((socket) => {
      attempts++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => down.listen(port, '127.0.0.1', resolve));
    assert.equal((await requestReset(userId, email)).status, 202);

    // Let several connections fail before the server returns.
    for (let i = 0; i < 60 && attempts < 3; i++) await new Promise((r) => setTimeout(r, 250));
    await closeServer(down);
    assert.ok(attempts >= 3, `expected connections refused while the sink was down, saw ${attempts}`);

    revivedSink = await startSmtpSink({ port });
    const token = tokenOf(await mailTo(revivedSink, email, 30_000));
    assert.equal((await redeem(userId, token)).status, 200);
  });

  it('sends one mail, whose link redeems, when the SMTP server is down for longer than PASSWORD_RESET_TASK_TIMEOUT', async () => {
    const userId = `user-${randomUUID()}`;
    const email = `${randomUUID()}@example.test`;
    const port = sink().port;
    await sink().stop();
    const down = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => down.listen(port, '127.0.0.1', resolve));
    assert.equal((await requestReset(userId, email)).status, 202);
    // The mail's retries run inside the reset's workflow task, which must not time out meanwhile
    // (its worker reports to the server that the task is still running).
    await new Promise((r) => setTimeout(r, stack.config.passwordReset.taskTimeoutMs + 2_000));
    await closeServer(down);
    revivedSink = await startSmtpSink({ port });
    const token = tokenOf(await mailTo(revivedSink, email, 30_000));
    // A second attempt of the task would send a second mail with another token.
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal(revivedSink.messages().filter((m) => m.to.includes(email)).length, 1, 'one mail');
    assert.equal((await redeem(userId, token)).status, 200);
  });

  it('answers 503 with Retry-After when no urgent worker takes a redeem within the deadline', async () => {
    const userId = `user-${randomUUID()}`;
    const email = `${randomUUID()}@example.test`;
    assert.equal((await requestReset(userId, email)).status, 202);
    const token = tokenOf(await mailTo(sink(), email));
    await stack.stopWorker('urgent');
    try {
      const started = Date.now();
      const res = await redeem(userId, token);
      assert.equal(res.status, 503, await res.text());
      assert.ok(res.headers.get('retry-after'), 'says when to retry');
      assert.ok(Date.now() - started >= stack.config.webhooks.ackDeadlineMs, 'waited for the deadline');
    } finally {
      await stack.startWorker('urgent');
    }
  });

  it("gives a reset's workflow task held by a worker that died to another after PASSWORD_RESET_TASK_TIMEOUT, not Temporal's 10 s", async () => {
    const timeoutMs = stack.config.passwordReset.taskTimeoutMs;
    assert.ok(timeoutMs < 10_000, `the default (${timeoutMs} ms) is below Temporal's`);
    const userId = `user-${randomUUID()}`;
    const email = `${randomUUID()}@example.test`;
    // The dying worker: the only poller on the queue takes the reset's first task and never answers.
    await stack.stopWorker('urgent');
    try {
      const taken = stack.client.withDeadline(Date.now() + 30_000, () =>
        stack.client.workflowService.pollWorkflowTaskQueue({
          namespace: stack.config.temporal.namespace,
          taskQueue: {
            name: TASK_QUEUES.urgent,
            kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL,
          },
          identity: 'a worker that dies holding the task',
        }),
      );
      assert.equal((await requestReset(userId, email)).status, 202);
      const task = await taken;
      assert.ok(task.taskToken?.length, 'the dying worker took the reset');
      const takenAt = Date.now();
      await stack.startWorker('urgent');
      const mail = await mailTo(sink(), email, 20_000);
      const waited = mail.receivedAt.getTime() - takenAt;
      assert.ok(waited < timeoutMs + 2_000, `mailed ${waited} ms after the task was taken`);
    } finally {
      if (!stack.workers.has('urgent')) await stack.startWorker('urgent');
    }
  });
});

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
