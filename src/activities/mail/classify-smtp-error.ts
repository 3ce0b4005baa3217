import { ApplicationFailure } from '@temporalio/common';

interface SmtpError {
  code?: string;
  responseCode?: number;
  message?: string;
}

/**
 * Turns a nodemailer error into what Temporal should do with it. SMTP 5xx replies are
 * permanent rejections (bad address, policy): retrying sends nothing, so they are
 * non-retryable. SMTP 4xx replies and network failures (refused, reset, timeout) are
 * transient: rethrown so the activity's retry policy backs off and tries again. A server that
 * will not secure the connection when TLS is required is its own kind (`SmtpTlsUnavailable`).
 */
export function classifySmtpError(err: unknown): Error {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SmtpError;
  const message = e.message ?? String(err);
  if (e.code === 'ETLS' || (e.code === 'ESOCKET' && /certificate|tls|ssl/i.test(message))) {
    // TLS was required and the server did not offer it, or its certificate did not check out:
    // nothing was sent. Retried, as a fixed server (or a stripped STARTTLS gone) lets a later attempt through.
    return ApplicationFailure.retryable(
      `SMTP server did not secure the connection, mail not sent (TLS is required): ${message}`,
      'SmtpTlsUnavailable',
    );
  }
  if (typeof e.responseCode === 'number' && e.responseCode >= 500) {
    return ApplicationFailure.nonRetryable(
      `SMTP rejected the mail permanently (${e.responseCode})`,
      'SmtpPermanentRejection',
      {
        responseCode: e.responseCode,
      },
    );
  }
  if (e.code === 'EENVELOPE' && e.responseCode === undefined) {
    // Nodemailer refused the envelope itself (no valid recipient): no server will accept it.
    return ApplicationFailure.nonRetryable(`invalid mail envelope: ${message}`, 'InvalidEnvelope');
  }
  if (typeof e.responseCode === 'number') {
    return ApplicationFailure.retryable(
      `SMTP deferred the mail (${e.responseCode})`,
      'SmtpTransientRejection',
      {
        responseCode: e.responseCode,
      },
    );
  }
  return ApplicationFailure.retryable(
    `SMTP delivery failed: ${e.code ?? 'error'}: ${message}`,
    'SmtpUnavailable',
  );
}
