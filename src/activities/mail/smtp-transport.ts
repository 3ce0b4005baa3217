import nodemailer, { type Transporter } from 'nodemailer';
import { smtpTlsProblems } from './smtp-tls-policy.js';

export interface SmtpTransportOptions {
  /** e.g. smtp://user:pass@mail.example.com:587 or smtps://… */
  url: string;
  maxConnections?: number;
  /**
   * Production: never send in clear. smtp:// must upgrade with STARTTLS (a server that does not
   * offer it fails the send), smtps:// is TLS from the start, and a URL that opts out is refused.
   */
  requireTls?: boolean;
}

/**
 * A pooled SMTP transport: connections are reused across mails (no TCP + greeting per
 * message), and every phase is bounded so a stuck server fails the attempt quickly and
 * Temporal's retry policy takes over instead of a hung activity slot.
 */
export function createSmtpTransport(opts: SmtpTransportOptions): Transporter {
  const problems = opts.requireTls ? smtpTlsProblems(opts.url) : [];
  if (problems.length > 0) throw new Error(`SMTP_URL: ${problems.join('; ')}`);
  return nodemailer.createTransport({
    url: opts.url,
    pool: true,
    maxConnections: opts.maxConnections ?? 5,
    maxMessages: 500,
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
    socketTimeout: 15_000,
    ...(opts.requireTls ? { requireTLS: true } : {}),
  });
}
