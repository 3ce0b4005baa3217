import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { EmailActivities } from '../activities/email.js';
import {
  constantTimeEqual,
  redeemUpdate,
  REDEEM_FAILURE,
  requestResetSignal,
  resetStatusQuery,
  type PasswordResetCarried,
  type PasswordResetInput,
  type PasswordResetResult,
  type ResetRequest,
} from '../shared/password-reset.js';
import { PRIORITY } from '../shared/task-queues.js';

// Bounded per attempt; retried with backoff on network errors and SMTP 4xx for up to 10 minutes
// (an SMTP outage of that length still ends in a mail). SMTP 5xx is non-retryable (classified in the activity).
const MAIL_ATTEMPTS = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '10m',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '15s' },
} as const;

/** The mail as an activity task on the urgent queue: its attempts show as a pending activity. */
const mailTask = proxyActivities<EmailActivities>({
  ...MAIL_ATTEMPTS,
  priority: { priorityKey: PRIORITY.passwordReset },
});

/**
 * The mail as a local activity: sent inside the workflow task that took the request, so a reset
 * costs one workflow task and no activity task (half the engine's writes), and the mail leaves
 * one server round trip sooner. Retries run in the worker (the task heartbeats while they do).
 */
const mailLocal = proxyLocalActivities<EmailActivities>(MAIL_ATTEMPTS);

/** Runs that record this marker cap mails per window and continue as new before their history grows long. */
export const BOUNDED_RESETS_PATCH = 'password-reset-bounded';
const MAX_HISTORY_EVENTS = 2_000;

/**
 * One user's password reset: mails a token (the activity returns only its hash), then waits
 * for a `redeem` update until the token expires on a durable timer. Started (or signalled)
 * with signalWithStart, so every request — the first and each repeat — is a `requestReset`
 * signal. A repeat inside the cool-down sends nothing; a later one mails a new token that
 * replaces the old. The run ends when its token is used or expires; a later request starts
 * a new run under the same id. Runs with the bounded-resets patch also ignore requests past
 * the per-user mail limit and continue as new (token and counts carried) before their history
 * grows long.
 */
export async function passwordReset(input: PasswordResetInput): Promise<PasswordResetResult> {
  const bounded = patched(BOUNDED_RESETS_PATCH);
  const carried = bounded ? input.carried : undefined;
  let pending: ResetRequest | undefined;
  let tokenHash = carried?.tokenHash;
  let expiresAt = carried?.expiresAt ?? 0;
  let lastMailAt = carried?.lastMailAt;
  let recentMailsAt = carried?.recentMailsAt ?? [];
  let used = false;
  let sending = false;
  let mailsSent = carried?.mailsSent ?? 0;
  let requestsIgnored = carried?.requestsIgnored ?? 0;

  // The per-user limit, kept by the run itself so it holds however many API replicas admit requests.
  const overMailLimit = () => {
    if (!bounded || !input.mailLimit || !input.mailWindowMs) return false;
    const since = Date.now() - input.mailWindowMs;
    recentMailsAt = recentMailsAt.filter((at) => at > since);
    return recentMailsAt.length >= input.mailLimit;
  };
  const historyLong = () =>
    bounded &&
    (workflowInfo().continueAsNewSuggested ||
      workflowInfo().historyLength >= (input.maxHistoryEvents ?? MAX_HISTORY_EVENTS));

  setHandler(requestResetSignal, (request) => {
    const coolingDown = lastMailAt !== undefined && Date.now() - lastMailAt < input.cooldownMs;
    if (coolingDown || pending || overMailLimit()) requestsIgnored++;
    else pending = request;
  });

  // A redeem that arrives while a mail is being sent waits for it: the token in that mail may
  // be the one presented, and the token it replaces is no longer valid.
  const check = (presented: unknown) => {
    if (!tokenHash || typeof presented !== 'string' || !constantTimeEqual(presented, tokenHash)) {
      throw ApplicationFailure.create({ message: 'token invalid', type: REDEEM_FAILURE.invalid });
    }
    if (used) throw ApplicationFailure.create({ message: 'token already used', type: REDEEM_FAILURE.used });
    if (Date.now() >= expiresAt) {
      throw ApplicationFailure.create({ message: 'token expired', type: REDEEM_FAILURE.expired });
    }
  };
  setHandler(
    redeemUpdate,
    async ({ tokenHash: presented }) => {
      await condition(() => !sending);
      check(presented);
      used = true;
      return { redeemed: true } as const;
    },
    {
      // Rejections here leave no trace in history; only redeems racing a mail reach the handler unchecked.
      validator: ({ tokenHash: presented }) => {
        if (!sending) check(presented);
      },
    },
  );

  setHandler(resetStatusQuery, () => ({
    mailsSent,
    requestsIgnored,
    tokenIssued: tokenHash !== undefined,
    expiresAt: tokenHash ? expiresAt : undefined,
    used,
  }));

  // signalWithStart delivers the first request with the start; a bare start waits one TTL for it.
  // A continued run already has its token.
  if (!carried && !(await condition(() => pending !== undefined, input.ttlMs))) {
    return { outcome: 'never-requested' };
  }

  for (;;) {
    if (pending) {
      const { userId, email } = pending;
      lastMailAt = Date.now();
      sending = true;
      // Runs started before the choice existed have no `mailAs`: they replay as activity tasks.
      const mail = input.mailAs === 'local-activity' ? mailLocal : mailTask;
      const sent = await mail.sendPasswordResetEmail({ userId, email, ttlMs: input.ttlMs });
      // The new token replaces the old one: redeems that waited on this mail now see the new hash.
      sending = false;
      pending = undefined;
      tokenHash = sent.tokenHash;
      expiresAt = Date.now() + input.ttlMs;
      used = false;
      mailsSent++;
      if (bounded) recentMailsAt.push(lastMailAt);
    }
    const remaining = expiresAt - Date.now();
    if (remaining > 0) await condition(() => used || pending !== undefined || historyLong(), remaining);
    if (pending) continue;
    await condition(allHandlersFinished);
    if (bounded && pending) continue;
    if (!used && Date.now() < expiresAt && historyLong() && tokenHash && lastMailAt !== undefined) {
      const state: PasswordResetCarried = {
        tokenHash,
        expiresAt,
        lastMailAt,
        recentMailsAt,
        mailsSent,
        requestsIgnored,
      };
      await continueAsNew<typeof passwordReset>({ ...input, carried: state });
    }
    return { outcome: used ? 'redeemed' : 'expired', tokenHash };
  }
}
