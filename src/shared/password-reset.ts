import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/** How a reset run sends its mails: inside its workflow task, or as an activity task. */
export type ResetMailMode = 'local-activity' | 'activity';

/** What a PasswordReset run is started with; repeat requests arrive as signals. */
export interface PasswordResetInput {
  /** How long a mailed token stays valid. */
  ttlMs: number;
  /** A repeat request within this time after a mail sends nothing. */
  cooldownMs: number;
  /** At most this many mails per `mailWindowMs` (unset in runs started before the limits). */
  mailLimit?: number;
  mailWindowMs?: number;
  /**
   * How the run sends its mails (PASSWORD_RESET_MAIL_AS): `local-activity` inside the workflow
   * task, `activity` (or unset: runs started before the choice) as an activity task.
   */
  mailAs?: ResetMailMode;
  /** Continue as new once the run's history has this many events (default 2,000). */
  maxHistoryEvents?: number;
  /** What a run hands to the run it continues as. */
  carried?: PasswordResetCarried;
}

/** A reset's state across continue-as-new: the token stays valid, the limits keep counting. */
export interface PasswordResetCarried {
  tokenHash: string;
  expiresAt: number;
  lastMailAt: number;
  recentMailsAt: number[];
  mailsSent: number;
  requestsIgnored: number;
}

export interface ResetRequest {
  userId: string;
  email: string;
}

export interface RedeemInput {
  /** SHA-256 (hex) of the presented token: the raw token never reaches history. */
  tokenHash: string;
}

export interface RedeemResult {
  redeemed: true;
}

export type PasswordResetOutcome = 'redeemed' | 'expired' | 'never-requested';

export interface PasswordResetResult {
  outcome: PasswordResetOutcome;
  /** Hash of the last token mailed, so a late redeem can still tell "used/expired" from "wrong". */
  tokenHash?: string;
}

export interface PasswordResetStatus {
  mailsSent: number;
  requestsIgnored: number;
  tokenIssued: boolean;
  expiresAt?: number;
  used: boolean;
}

/** Failure types the redeem update's validator raises; the API maps them to 400 / 410. */
export const REDEEM_FAILURE = {
  invalid: 'TokenInvalid',
  used: 'TokenUsed',
  expired: 'TokenExpired',
} as const;

export const requestResetSignal = defineSignal<[ResetRequest]>('requestReset');
export const redeemUpdate = defineUpdate<RedeemResult, [RedeemInput]>('redeem');
export const resetStatusQuery = defineQuery<PasswordResetStatus>('status');

/** Compares two strings in time that depends only on their length (no early exit). */
export function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}
