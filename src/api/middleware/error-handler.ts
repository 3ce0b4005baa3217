import type { Middleware } from 'koa';
import type { Logger } from '../../logger.js';
import { AppError } from '../errors.js';

/** First in the stack: maps AppErrors to their status, hides everything else behind a 500. */
export function errorHandler(opts: { log: Logger }): Middleware {
  return async function handleErrors(ctx, next) {
    try {
      await next();
    } catch (err) {
      if (err instanceof AppError) {
        ctx.status = err.status;
        ctx.set(err.headers);
        ctx.body = { error: { code: err.code, message: err.message } };
        if (err.status >= 500) opts.log.warn({ code: err.code, path: ctx.path }, err.message);
        return;
      }
      opts.log.error({ err, method: ctx.method, path: ctx.path }, 'unhandled error');
      ctx.status = 500;
      ctx.body = { error: { code: 'internal', message: 'internal error' } };
    }
  };
}
