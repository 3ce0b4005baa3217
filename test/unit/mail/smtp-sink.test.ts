import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { startSmtpSink, type SmtpSink } from '../../../dev/smtp-sink/smtp-sink.js';
import { freePort } from '../../support/free-port.js';

describe('SMTP sink', () => {
  let sink: SmtpSink | undefined;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'floodgate-sink-'));
  });
  afterEach(async () => {
    await sink?.stop();
    sink = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('receives a mail over SMTP, parses it and keeps it as an .eml file', async () => {
    sink = await startSmtpSink({ port: await freePort(), dir });
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false });
    await transport.sendMail({
      from: 'Floodgate <no-reply@floodgate.local>',
      to: 'someone@example.test',
      subject: 'Hello',
      text: 'plain body',
      html: '<p>html body</p>',
      headers: { 'X-Floodgate-Kind': 'test' },
    });
    transport.close();
    const mail = await sink.waitFor((m) => m.subject === 'Hello', 5_000);
    assert.equal(mail.from, 'no-reply@floodgate.local');
    assert.deepEqual(mail.to, ['someone@example.test']);
    assert.equal(mail.text.trim(), 'plain body');
    assert.match(mail.html ?? '', /html body/);
    assert.equal(mail.headers['x-floodgate-kind'], 'test');
    const files = readdirSync(dir);
    assert.equal(files.length, 1);
    assert.ok(files[0]!.endsWith(`-${mail.id}.eml`));
    assert.match(readFileSync(join(dir, files[0]!), 'utf8'), /Subject: Hello/);
  });

  it('never shows a half-written .eml: a folder watcher sees each file whole or not at all', async () => {
    sink = await startSmtpSink({ port: await freePort(), dir });
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false });
    const body = 'x'.repeat(8 * 1024 * 1024);
    const sizesSeen: number[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        for (const file of readdirSync(dir).filter((f) => f.endsWith('.eml'))) {
          sizesSeen.push(readFileSync(join(dir, file)).length);
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    await transport.sendMail({
      from: 'a@floodgate.local',
      to: 'big@example.test',
      subject: 'big',
      text: body,
    });
    transport.close();
    await sink.waitFor((m) => m.subject === 'big', 10_000);
    polling = false;
    await poller;
    const [file] = readdirSync(dir);
    const whole = readFileSync(join(dir, file!)).length;
    assert.ok(whole > body.length, `the kept mail holds the body (${whole} bytes)`);
    assert.deepEqual(
      sizesSeen.filter((size) => size !== whole),
      [],
      'every read of the .eml saw the whole mail',
    );
  });

  it('answers a recipient with the configured SMTP error', async () => {
    sink = await startSmtpSink({
      port: await freePort(),
      rejectRecipient: (a) => (a.startsWith('bounce') ? { code: 550, message: 'no such user' } : undefined),
    });
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false });
    await assert.rejects(
      transport.sendMail({ from: 'a@floodgate.local', to: 'bounce@example.test', subject: 'x', text: 'x' }),
      (err: { responseCode?: number }) => err.responseCode === 550,
    );
    transport.close();
    assert.equal(sink.messages().length, 0);
  });

  it('waitFor rejects after its timeout when nothing matches', async () => {
    sink = await startSmtpSink({ port: await freePort() });
    await assert.rejects(
      sink.waitFor(() => true, 100),
      /no matching mail/,
    );
  });
});
