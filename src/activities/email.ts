import { activityInfo } from '@temporalio/activity';
import type { Transporter } from 'nodemailer';
import { classifySmtpError } from './mail/classify-smtp-error.js';
import { createResetToken, hashResetToken } from './mail/reset-token.js';
import { passwordResetMail, videoReadyMail, type RenderedMail } from './mail/templates.js';

export interface EmailDeps {
  transport: Transporter;
  /** e.g. `Floodgate <no-reply@floodgate.local>` */
  from: string;
  /** The reset page; the link adds `userId` and `token` query parameters (docs/api.md). */
  resetUrlBase: string;
}

export interface PasswordResetMailInput {
  userId: string;
  email: string;
  ttlMs: number;
}

export interface PasswordResetMailResult {
  /** SHA-256 of the token that was mailed; the raw token never leaves this activity. */
  tokenHash: string;
  /** Epoch ms; the workflow's own timer is authoritative. */
  expiresAt: number;
}

export interface VideoReadyMailInput {
  to: string;
  videoId: string;
  storedPath?: string;
}

/**
 * Mail activities. Delivery is at-least-once: an attempt whose SMTP acceptance was lost
 * (worker crash, reply lost) is retried and may send a second mail. Message-IDs are stable
 * where the content is (video mails), so receiving systems collapse such duplicates.
 */
export function createEmailActivities(deps: EmailDeps) {
  const domain = /@([^>\s]+)>?\s*$/.exec(deps.from)?.[1] ?? 'floodgate.local';

  async function send(to: string, mail: RenderedMail, messageId: string, kind: string): Promise<void> {
    try {
      await deps.transport.sendMail({
        from: deps.from,
        to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: `<${messageId}@${domain}>`,
        headers: { 'X-Floodgate-Kind': kind },
      });
    } catch (err) {
      throw classifySmtpError(err);
    }
  }

  return {
    async sendPasswordResetEmail(input: PasswordResetMailInput): Promise<PasswordResetMailResult> {
      // A fresh token per attempt: a retried attempt's mail carries the only token that will work.
      const token = createResetToken();
      const link = new URL(deps.resetUrlBase);
      // The redeem page posts both to `POST /password-resets/redeem`.
      link.searchParams.set('userId', input.userId);
      link.searchParams.set('token', token);
      const { workflowExecution, activityId, attempt } = activityInfo();
      const messageId = `pwreset.${workflowExecution?.runId ?? 'none'}.${activityId}.${attempt}`;
      await send(input.email, passwordResetMail(link.toString(), input.ttlMs), messageId, 'password-reset');
      return { tokenHash: hashResetToken(token), expiresAt: Date.now() + input.ttlMs };
    },

    async sendVideoReadyEmail(input: VideoReadyMailInput): Promise<void> {
      const messageId = `video-ready.${encodeURIComponent(input.videoId)}`;
      await send(input.to, videoReadyMail(input.videoId, input.storedPath), messageId, 'video-ready');
    },
  };
}

export type EmailActivities = ReturnType<typeof createEmailActivities>;
