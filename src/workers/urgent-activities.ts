import { createEmailActivities } from '../activities/email.js';
import { createSmtpTransport } from '../activities/mail/smtp-transport.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

/** Builds the urgent lane's activities (mail) from their real dependencies: one pooled SMTP transport. */
export function buildUrgentActivities(config: Config, log: Logger): ReturnType<typeof createEmailActivities> {
  // Production mail never goes in clear: STARTTLS is required (or smtps://).
  const transport = createSmtpTransport({
    url: config.mail.smtpUrl,
    requireTls: config.env === 'production',
  });
  transport.on('error', (err: Error) => log.warn({ err: err.message }, 'SMTP transport error'));
  return createEmailActivities({
    transport,
    from: config.mail.from,
    resetUrlBase: config.passwordReset.urlBase,
  });
}
