import { timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { UnauthorizedError } from '../errors.js';

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `Authorization: Bearer <key>` for the product backend's routes; keys rotate as a list. */
export function requireApiKey(opts: { keys: string[] }): Middleware {
  return async function checkApiKey(ctx, next) {
    const match = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'));
    const presented = match?.[1];
    if (!presented || !opts.keys.some((k) => safeEqual(k, presented))) {
      throw new UnauthorizedError('missing or invalid API key');
    }
    await next();
  };
}
