import { createHash } from 'node:crypto';
import Router from '@koa/router';
import {
  isGrpcServiceError,
  ServiceError,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { z } from 'zod';
import {
  redeemUpdate,
  REDEEM_FAILURE,
  requestResetSignal,
  type PasswordResetResult,
} from '../../shared/password-reset.js';
import { PRIORITY, taskQueueFor } from '../../shared/task-queues.js';
import type { passwordReset } from '../../workflows/password-reset.js';
import type { ApiDeps } from '../deps.js';
import { ResetLimits } from '../admission/reset-limits.js';
import { BadRequestError, GoneError, TooManyRequestsError, UnavailableError } from '../errors.js';
import { FIELD_LIMITS } from '../field-limits.js';
import { requireApiKey } from '../middleware/api-key.js';
import { jsonBody } from '../middleware/json-body.js';
import { passwordResetWorkflowId } from '../password-reset-id.js';

const userId = z.string().trim().min(1).max(FIELD_LIMITS.userId);
const requestBody = z.object({ userId, email: z.email().max(FIELD_LIMITS.email) });
const redeemBody = z.object({ userId, token: z.string().min(1).max(FIELD_LIMITS.resetToken) });

/** `POST /password-resets` (answers before any mail is sent) and `POST /password-resets/redeem`. */
export function passwordResetRoutes(deps: ApiDeps): Router {
  const { config, log } = deps;
  const client = deps.urgentClient ?? deps.client;
  const router = new Router({ prefix: '/password-resets' });
  router.use(requireApiKey({ keys: config.api.apiKeys }), jsonBody({ limitBytes: 16 * 1024 }));
  const deadline = () => Date.now() + config.webhooks.ackDeadlineMs;
  const { limits, ttlMs, cooldownMs, mailAs, taskTimeoutMs } = config.passwordReset;
  // Per process: each API replica admits up to these limits (docs/api.md#password-reset-limits).
  const resetLimits = new ResetLimits({ ...limits, cooldownMs });

  router.post('/', async (ctx) => {
    const body = parse(requestBody, ctx.request.body);
    // Refused here, a request writes nothing to any workflow's history.
    const admission = resetLimits.admit(body);
    if (!admission.admitted) {
      deps.metrics.passwordResetRefused.inc({ scope: admission.scope });
      throw new TooManyRequestsError(LIMIT_MESSAGES[admission.scope], admission.retryAfterMs);
    }
    const workflowId = passwordResetWorkflowId(body.userId, config.passwordReset.idKey);
    try {
      await temporalCall(() =>
        client.withDeadline(deadline(), () =>
          client.workflow.signalWithStart<typeof passwordReset, [{ userId: string; email: string }]>(
            'passwordReset',
            {
              workflowId,
              taskQueue: taskQueueFor('urgent', config.lanes.mode),
              // The run enforces the per-user limit too, so it holds across API replicas.
              args: [{ ttlMs, cooldownMs, mailAs, mailLimit: limits.perUser, mailWindowMs: limits.windowMs }],
              signal: requestResetSignal,
              signalArgs: [{ userId: body.userId, email: body.email }],
              priority: { priorityKey: PRIORITY.passwordReset },
              // Read when this starts a run; a run already open keeps its own.
              workflowTaskTimeout: taskTimeoutMs,
            },
          ),
        ),
      );
    } catch (err) {
      // Most likely not recorded, and the caller is told to retry: give the allowance back.
      admission.release();
      throw err;
    }
    log.info({ workflowId }, 'password reset requested');
    ctx.status = 202;
    ctx.body = { status: 'accepted' };
  });

  router.post('/redeem', async (ctx) => {
    const body = parse(redeemBody, ctx.request.body);
    const workflowId = passwordResetWorkflowId(body.userId, config.passwordReset.idKey);
    const tokenHash = createHash('sha256').update(body.token, 'utf8').digest('hex');
    const handle = client.workflow.getHandle<typeof passwordReset>(workflowId);
    try {
      await client.withDeadline(deadline(), () =>
        handle.executeUpdate(redeemUpdate, { args: [{ tokenHash }] }),
      );
    } catch (err) {
      throw await redeemError(err, handle, tokenHash, client);
    }
    log.info({ workflowId }, 'password reset token redeemed');
    ctx.body = { status: 'valid' };
  });

  return router;
}

const LIMIT_MESSAGES = {
  user: 'too many password reset requests for this user; retry after Retry-After seconds',
  address: 'too many password reset requests for this email address; retry after Retry-After seconds',
  overall: 'too many password reset requests right now; retry after Retry-After seconds',
} as const;

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') || 'body';
  throw new BadRequestError(`${field}: ${issue?.message ?? 'invalid'}`, 'invalid_field');
}

/** Maps the update's outcome to the answer: 400 wrong token, 410 used or expired. */
async function redeemError(
  err: unknown,
  handle: WorkflowHandle<typeof passwordReset>,
  tokenHash: string,
  client: Client,
): Promise<Error> {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    if (err.cause.type === REDEEM_FAILURE.invalid) return invalidToken();
    if (err.cause.type === REDEEM_FAILURE.used || err.cause.type === REDEEM_FAILURE.expired) {
      return new GoneError('token expired or already used', 'token_gone');
    }
  }
  if (isClosedOrMissing(err)) {
    // The run has ended (token used or expired) or never existed: its result tells which.
    const result = await temporalCall(() => closedRunResult(handle, client));
    if (result?.tokenHash === tokenHash) return new GoneError('token expired or already used', 'token_gone');
    return invalidToken();
  }
  return unavailableOr(err);
}

async function closedRunResult(
  handle: WorkflowHandle<typeof passwordReset>,
  client: Client,
): Promise<PasswordResetResult | undefined> {
  try {
    const { status } = await handle.describe();
    if (status.name === 'RUNNING') return undefined;
    return await client.withDeadline(Date.now() + 5_000, () => handle.result());
  } catch (err) {
    // Never started, or ended without a token (mail permanently rejected): nothing to redeem.
    if (err instanceof WorkflowNotFoundError || err instanceof WorkflowFailedError) return undefined;
    throw err;
  }
}

function isClosedOrMissing(err: unknown): boolean {
  if (err instanceof WorkflowNotFoundError) return true;
  // Updates to a closed run fail with NOT_FOUND ("workflow execution already completed").
  const grpc = err instanceof ServiceError ? err.cause : err;
  return isGrpcServiceError(grpc) && grpc.code === 5;
}

const invalidToken = () => new BadRequestError('token: invalid', 'invalid_token');

async function temporalCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw unavailableOr(err);
  }
}

/** Temporal unreachable or too slow → 503 with Retry-After; anything else stays a 500. */
function unavailableOr(err: unknown): Error {
  const grpc = err instanceof ServiceError ? err.cause : err;
  if (isGrpcServiceError(grpc) && (grpc.code === 14 || grpc.code === 4)) return new UnavailableError();
  return err instanceof Error ? err : new Error(String(err));
}
