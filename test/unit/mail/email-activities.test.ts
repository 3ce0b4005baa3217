import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { startSmtpSink, type SmtpSink } from '../../../dev/smtp-sink/smtp-sink.js';
import { createEmailActivities, type PasswordResetMailResult } from '../../../src/activities/email.js';
import { createSmtpTransport } from '../../../src/activities/mail/smtp-transport.js';
import { freePort } from '../../support/free-port.js';

describe('email activities', () => {
  let sink: SmtpSink;
  let port: number;
  const transports: Array<{ close(): void }> = [];

  before(async () => {
    port = await freePort();
    sink = await startSmtpSink({
      port,
      rejectRecipient: (a) =>
        a.startsWith('bounce@')
          ? { code: 550, message: 'mailbox unavailable' }
          : a.startsWith('greylist@')
            ? { code: 451, message: 'try again later' }
            : undefined,
    });
  });
  after(async () => {
    for (const t of transports) t.close();
    await sink?.stop();
  });

  function activities(smtpPort = port) {
    const transport = createSmtpTransport({ url: `smtp://127.0.0.1:${smtpPort}` });
    transports.push(transport);
    return createEmailActivities({
      transport,
      from: 'Floodgate <no-reply@floodgate.local>',
      resetUrlBase: 'https://app.example.test/reset?src=mail',
    });
  }
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const env = () => new MockActivityEnvironment({ attempt: 2 }, { logger: quiet });

  it('mails a reset link (text and HTML) carrying the user id and token, and returns only the hash of its token', async () => {
    const userId = 'u1/é &token=x';
    const result: PasswordResetMailResult = await env().run(activities().sendPasswordResetEmail, {
      userId,
      email: 'alice@example.test',
      ttlMs: 30 * 60_000,
    });
    const mail = await sink.waitFor((m) => m.to.includes('alice@example.test'), 5_000);
    const link = /https:\/\/app\.example\.test\/reset\?src=mail&userId=\S+&token=([\w-]+)/.exec(mail.text);
    assert.ok(link, 'link with the configured base URL in the text part');
    // The redeem page reads both from the query: the user id comes back exactly, however odd.
    const params = new URL(link[0]).searchParams;
    assert.equal(params.get('userId'), userId);
    assert.deepEqual(params.getAll('token'), [link[1]]);
    const token = link[1]!;
    assert.ok(token.length >= 43, 'at least 256 bits of token');
    assert.match(mail.html ?? '', new RegExp(`token=${token}`));
    assert.equal(result.tokenHash, createHash('sha256').update(token).digest('hex'));
    assert.ok(!JSON.stringify(result).includes(token));
    assert.match(mail.headers['message-id'] ?? '', /\.2@floodgate\.local>$/, 'Message-ID names the attempt');
  });

  it('gives a video-ready mail a stable Message-ID so receivers collapse duplicates', async () => {
    const send = activities().sendVideoReadyEmail;
    await env().run(send, { to: 'bob@example.test', videoId: 'vid-42' });
    await env().run(send, { to: 'bob@example.test', videoId: 'vid-42' });
    await sink.waitFor((m) => m.to.includes('bob@example.test') && m.subject.includes('vid-42'), 5_000);
    const ids = sink
      .messages()
      .filter((m) => m.to.includes('bob@example.test'))
      .map((m) => m.headers['message-id']);
    assert.equal(ids.length, 2);
    assert.equal(ids[0], ids[1]);
  });

  it('makes an SMTP 5xx rejection non-retryable', async () => {
    await assert.rejects(
      env().run(activities().sendVideoReadyEmail, { to: 'bounce@example.test', videoId: 'v1' }),
      (err: unknown) =>
        err instanceof ApplicationFailure && err.nonRetryable && err.type === 'SmtpPermanentRejection',
    );
  });

  it('leaves an SMTP 4xx deferral retryable', async () => {
    await assert.rejects(
      env().run(activities().sendVideoReadyEmail, { to: 'greylist@example.test', videoId: 'v1' }),
      (err: unknown) =>
        err instanceof ApplicationFailure && !err.nonRetryable && err.type === 'SmtpTransientRejection',
    );
  });

  it('leaves a refused connection retryable', async () => {
    const closedPort = await freePort();
    await assert.rejects(
      env().run(activities(closedPort).sendPasswordResetEmail, {
        userId: 'u',
        email: 'c@example.test',
        ttlMs: 1,
      }),
      (err: unknown) =>
        err instanceof ApplicationFailure && !err.nonRetryable && err.type === 'SmtpUnavailable',
    );
  });
});
