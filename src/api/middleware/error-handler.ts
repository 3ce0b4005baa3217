import {
  isGrpcServiceError,
  ServiceError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import type { Middleware } from 'koa';
import type { Logger } from '../../logger.js';
import { isOverBudget } from '../../temporal/over-budget.js';
import { AppError, OverBudgetError, UnavailableError } from '../errors.js';
import { RefusalLog } from '../refusal-log.js';

/** First in the stack: maps AppErrors to their status, hides everything else behind a 500. */
export function errorHandler(opts: { log: Logger; refusals?: RefusalLog }): Middleware {
  const refusals = opts.refusals ?? new RefusalLog(opts.log);
  return async function handleErrors(ctx, next) {
    try {
      await next();
    } catch (caught) {
      // Temporal down, too slow or over a lane's budget on any route is the caller's cue to
      // retry, never a 500.
      const err = isOverBudget(caught)
        ? new OverBudgetError()
        : temporalUnavailable(caught)
          ? new UnavailableError()
          : caught;
      if (err instanceof AppError) {
        ctx.status = err.status;
        ctx.set(err.headers);
        ctx.body = { error: { code: err.code, message: err.message } };
        if (err.status >= 500) refusals.warn(err.code, { path: ctx.path }, err.message);
        return;
      }
      opts.log.error({ err, method: ctx.method, path: ctx.path }, 'unhandled error');
      ctx.status = 500;
      ctx.body = { error: { code: 'internal', message: 'internal error' } };
    }
  };
}

/**
 * gRPC UNAVAILABLE (14) or DEADLINE_EXCEEDED (4), bare or wrapped by the client; also CANCELLED
 * (1), which is how a call cut short by the client's own deadline ends while the server is stuck
 * (seen with PostgreSQL killed under a cluster's Temporal server). An update (a reset's redeem)
 * that no worker took before the deadline comes wrapped in an error of its own.
 */
function temporalUnavailable(err: unknown): boolean {
  const wrapped = err instanceof ServiceError || err instanceof WorkflowUpdateRPCTimeoutOrCancelledError;
  const grpc = wrapped ? err.cause : err;
  return isGrpcServiceError(grpc) && (grpc.code === 14 || grpc.code === 4 || grpc.code === 1);
}
