import nodemailer, { type Transporter } from 'nodemailer';

export interface SmtpTransportOptions {
  /** e.g. smtp://user:pass@mail.example.com:587 or smtps://… */
  url: string;
  maxConnections?: number;
}

/**
 * A pooled SMTP transport: connections are reused across mails (no TCP + greeting per
 * message), and every phase is bounded so a stuck server fails the attempt quickly and
 * Temporal's retry policy takes over instead of a hung activity slot.
 */
export function createSmtpTransport(opts: SmtpTransportOptions): Transporter {
  return nodemailer.createTransport({
    url: opts.url,
    pool: true,
    maxConnections: opts.maxConnections ?? 5,
    maxMessages: 500,
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
    socketTimeout: 15_000,
  });
}
