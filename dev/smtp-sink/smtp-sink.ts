import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

export interface ReceivedMail {
  id: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html?: string;
  /** Header names lower-cased; the raw value after the colon. */
  headers: Record<string, string>;
  receivedAt: Date;
  /** Whether the mail came over a connection upgraded with STARTTLS. */
  tls: boolean;
}

export interface SmtpSinkOptions {
  port: number;
  host?: string;
  /** When set, every mail is also kept as `<dir>/<timestamp>-<id>.eml`. */
  dir?: string;
  /** Lets tests make the sink answer a recipient with an SMTP error (e.g. 550 or 451). */
  rejectRecipient?: (address: string) => { code: number; message: string } | undefined;
  /** Offer STARTTLS with this key and certificate (PEM); unset, the sink speaks plain SMTP only. */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export interface SmtpSink {
  port: number;
  messages(): ReceivedMail[];
  /** Resolves with the first mail (already received or arriving later) that matches. */
  waitFor(pred: (m: ReceivedMail) => boolean, timeoutMs: number): Promise<ReceivedMail>;
  stop(): Promise<void>;
}

/**
 * A development SMTP server that accepts every mail (no auth; STARTTLS only when given a
 * certificate) and keeps it in memory and, optionally, on disk. Real SMTP over TCP, so the mail path under test is the real one.
 */
export async function startSmtpSink(opts: SmtpSinkOptions): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const waiters = new Set<(m: ReceivedMail) => void>();
  if (opts.dir) mkdirSync(opts.dir, { recursive: true });

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: opts.tls ? ['AUTH'] : ['STARTTLS', 'AUTH'],
    ...(opts.tls ? { key: opts.tls.key, cert: opts.tls.cert } : {}),
    logger: false,
    banner: 'Floodgate SMTP sink',
    size: 10 * 1024 * 1024,
    // Pooled clients keep idle connections open; a stop should not wait long for them.
    closeTimeout: 200,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const rejection = opts.rejectRecipient?.(address.address);
      if (!rejection) return callback();
      const err = Object.assign(new Error(rejection.message), { responseCode: rejection.code });
      callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (err: Error) => callback(err));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const envelopeTo = session.envelope.rcptTo.map((r) => r.address);
        const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        accept(raw, envelopeFrom, envelopeTo, session.secure).then(
          () => callback(),
          (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
        );
      });
    },
  });

  async function accept(
    raw: Buffer,
    envelopeFrom: string,
    envelopeTo: string[],
    tls: boolean,
  ): Promise<void> {
    const parsed = await simpleParser(raw);
    const id = randomUUID();
    const receivedAt = new Date();
    const headers: Record<string, string> = {};
    for (const { key, line } of parsed.headerLines) {
      headers[key.toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
    }
    const mail: ReceivedMail = {
      id,
      from: parsed.from?.value[0]?.address ?? envelopeFrom,
      to: envelopeTo.length ? envelopeTo : addresses(parsed.to),
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
      html: typeof parsed.html === 'string' ? parsed.html : undefined,
      headers,
      receivedAt,
      tls,
    };
    if (opts.dir) {
      // Written under another name, then renamed: whoever watches the folder for `.eml` files
      // (the bench, `npm run resets`, the fault suite) never reads one half-written.
      const path = join(opts.dir, `${receivedAt.toISOString().replace(/[:.]/g, '-')}-${id}.eml`);
      await writeFile(`${path}.partial`, raw);
      await rename(`${path}.partial`, path);
    }
    received.push(mail);
    for (const notify of [...waiters]) notify(mail);
  }

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;

  return {
    port,
    messages: () => [...received],
    waitFor(pred, timeoutMs) {
      const found = received.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching mail within ${timeoutMs} ms (${received.length} received)`));
        }, timeoutMs);
        const check = (m: ReceivedMail) => {
          if (!pred(m)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(m);
        };
        waiters.add(check);
      });
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  return list.flatMap((a) => a.value.map((v) => v.address ?? '')).filter(Boolean);
}
