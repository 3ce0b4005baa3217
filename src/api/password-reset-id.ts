import { createHmac } from 'node:crypto';

/**
 * The PasswordReset workflow id for a user: a keyed hash, so ids (visible in the Web UI,
 * logs and metrics) carry no user id, and nobody without the key can compute or reverse them.
 */
export function passwordResetWorkflowId(userId: string, idKey: string): string {
  return `pwreset-${createHmac('sha256', idKey).update(userId, 'utf8').digest('hex').slice(0, 40)}`;
}
