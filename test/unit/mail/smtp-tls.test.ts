import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { startSmtpSink, type SmtpSink } from '../../../dev/smtp-sink/smtp-sink.js';
import { createSmtpTransport } from '../../../src/activities/mail/smtp-transport.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { buildUrgentActivities } from '../../../src/workers/urgent-activities.js';
import { freePort } from '../../support/free-port.js';
import { productionEnv } from '../../support/production-env.js';

/** A self-signed certificate for 127.0.0.1, made for this run. */
function selfSignedCert(dir: string): { key: string; cert: string } {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=floodgate-test-smtp',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

/**
 * Production mail over real SMTP: the urgent worker's own activities (config → transport →
 * activity) against the SMTP sink, once without STARTTLS and once with it.
 */
describe('production mail requires TLS', () => {
  let dir: string;
  let plain: SmtpSink;
  let starttls: SmtpSink;
  let cert: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'floodgate-smtp-tls-'));
    const tls = selfSignedCert(dir);
    cert = tls.cert;
    plain = await startSmtpSink({ port: await freePort() });
    starttls = await startSmtpSink({ port: await freePort(), tls });
  });
  after(async () => {
    await Promise.all([plain?.stop(), starttls?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const log = createLogger('test', 'silent');

  function resetMail(env: Record<string, string>, email: string) {
    const activities = buildUrgentActivities(loadConfig(env), log);
    return new MockActivityEnvironment({}, { logger: quiet }).run(activities.sendPasswordResetEmail, {
      userId: 'u1',
      email,
      ttlMs: 60_000,
    });
  }

  it('refuses to send to a server that offers no STARTTLS, with a clear error, and nothing arrives', async () => {
    const env = productionEnv({ SMTP_URL: `smtp://127.0.0.1:${plain.port}` });
    await assert.rejects(
      resetMail(env, 'clear@example.test'),
      (err: unknown) =>
        err instanceof ApplicationFailure &&
        err.type === 'SmtpTlsUnavailable' &&
        !err.nonRetryable &&
        /did not secure the connection, mail not sent \(TLS is required\)/.test(err.message),
    );
    assert.equal(plain.messages().filter((m) => m.to.includes('clear@example.test')).length, 0);
  });

  it('outside production the same server gets the mail (the refusal is the production setting)', async () => {
    await resetMail({ SMTP_URL: `smtp://127.0.0.1:${plain.port}` }, 'dev@example.test');
    const mail = await plain.waitFor((m) => m.to.includes('dev@example.test'), 5_000);
    assert.equal(mail.tls, false);
  });

  it('sends over STARTTLS to a server that offers it, checking its certificate', async () => {
    const env = productionEnv({
      SMTP_URL: `smtp://127.0.0.1:${starttls.port}?tls.ca=${encodeURIComponent(cert)}`,
    });
    await resetMail(env, 'tls@example.test');
    const mail = await starttls.waitFor((m) => m.to.includes('tls@example.test'), 5_000);
    assert.equal(mail.tls, true, 'received over a connection upgraded with STARTTLS');
    assert.match(mail.text, /https:\/\/app\.acme\.internal\/reset\?userId=u1&token=/);
  });

  it('does not trust a certificate it cannot check: the send fails and nothing arrives', async () => {
    const env = productionEnv({ SMTP_URL: `smtp://127.0.0.1:${starttls.port}` });
    await assert.rejects(
      resetMail(env, 'untrusted@example.test'),
      (err: unknown) =>
        err instanceof ApplicationFailure &&
        err.type === 'SmtpTlsUnavailable' &&
        /mail not sent \(TLS is required\): self[- ]signed certificate/.test(err.message),
    );
    assert.equal(starttls.messages().filter((m) => m.to.includes('untrusted@example.test')).length, 0);
  });

  it('a production transport refuses a URL that opts out of TLS even if handed one directly', () => {
    for (const url of ['smtp://127.0.0.1:25?requireTLS=false', 'smtp://127.0.0.1:25?ignoreTLS=true']) {
      assert.throws(() => createSmtpTransport({ url, requireTls: true }), /SMTP_URL: .*clear text/);
    }
  });
});
