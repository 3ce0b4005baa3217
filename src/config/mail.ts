import { z } from 'zod';
import { DEV_DEFAULTS } from '../dev-defaults.js';
import { duration, positiveInt, type Parsed } from './setting-types.js';

/** Mail, and the password resets it carries. */
export const mailSettings = {
  // Mail
  SMTP_URL: z.string().default('smtp://127.0.0.1:2525').meta({
    description:
      'nodemailer transport URL; in production `smtps://` or `smtp://` with STARTTLS required (a server without it fails the send)',
  }),
  MAIL_FROM: z.string().default('Floodgate <no-reply@floodgate.local>').meta({ description: 'sender' }),
  PASSWORD_RESET_URL_BASE: z
    .url()
    .default('http://localhost:3000/reset')
    .meta({ description: 'link in reset mails' }),
  PASSWORD_RESET_TTL: duration.default(30 * 60_000).meta({ description: 'token lifetime' }),
  PASSWORD_RESET_COOLDOWN: duration.default(60_000).meta({
    description: 'a repeat request for a user inside it is refused (`429`) and sends no second mail',
  }),
  // How a reset run sends its mail: the engine's work per reset (docs/performance.md#the-reset-mail-inside-its-workflow-task).
  PASSWORD_RESET_MAIL_AS: z.enum(['local-activity', 'activity']).default('local-activity').meta({
    description:
      '`local-activity`: each reset mail is sent inside the workflow task that took the request (one workflow task and no activity task per reset; SMTP retries run in the worker); `activity`: an activity task on the `urgent` queue, shown as a pending activity in the Web UI while it retries. Applies to runs started after the change',
  }),
  /**
   * A reset's workflow task takes milliseconds; one handed to a worker that died with it is given
   * to another after this long. Temporal's default, 10 s, held a reset that long after a crash.
   */
  PASSWORD_RESET_TASK_TIMEOUT: duration
    .pipe(z.number().min(1_000, 'must be at least 1s').max(60_000, 'must be at most 60s'))
    .default(3_000)
    .meta({
      description:
        "a reset's workflow task held by a worker that died goes to another after this long (1s–60s); a worker stalled past it sends that reset's mail twice. Applies to runs started after the change",
    }),
  // Reset limits, decided in each API process before Temporal (docs/api.md#password-reset-limits).
  PASSWORD_RESET_USER_LIMIT: positiveInt
    .default(3)
    .meta({ description: 'reset requests (so mails) per user per `PASSWORD_RESET_LIMIT_WINDOW`' }),
  PASSWORD_RESET_ADDRESS_LIMIT: positiveInt.default(3).meta({
    description:
      'reset requests per email address (case and `+tag` folded) per window, whatever the user ids',
  }),
  PASSWORD_RESET_LIMIT_WINDOW: duration
    .default(3_600_000)
    .meta({ description: 'window of the two limits above' }),
  PASSWORD_RESET_OVERALL_LIMIT: positiveInt
    .default(100)
    .meta({ description: 'reset requests per second one API process admits, all users together' }),
  PASSWORD_RESET_ID_KEY: z.string().min(16).default(DEV_DEFAULTS.passwordResetIdKey).meta({
    description:
      'HMAC key for reset workflow ids and for the video ids of `Idempotency-Key` requests (no user ids or client keys in ids)',
    shown: 'dev key',
  }),
};

export type MailEnv = Parsed<typeof mailSettings>;

export function mailSection(e: MailEnv) {
  return {
    smtpUrl: e.SMTP_URL,
    from: e.MAIL_FROM,
  };
}

export function passwordResetSection(e: MailEnv) {
  return {
    urlBase: e.PASSWORD_RESET_URL_BASE,
    ttlMs: e.PASSWORD_RESET_TTL,
    cooldownMs: e.PASSWORD_RESET_COOLDOWN,
    mailAs: e.PASSWORD_RESET_MAIL_AS,
    taskTimeoutMs: e.PASSWORD_RESET_TASK_TIMEOUT,
    idKey: e.PASSWORD_RESET_ID_KEY,
    limits: {
      perUser: e.PASSWORD_RESET_USER_LIMIT,
      perAddress: e.PASSWORD_RESET_ADDRESS_LIMIT,
      windowMs: e.PASSWORD_RESET_LIMIT_WINDOW,
      overallPerSecond: e.PASSWORD_RESET_OVERALL_LIMIT,
    },
  };
}
