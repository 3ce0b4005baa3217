import { timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { UnauthorizedError } from '../errors.js';
import { singleHeader } from '../raw-headers.js';

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * `Authorization: Bearer <key>` for the product backend's routes; keys rotate as a list. Given
 * twice is a 400: Node would keep only the first, and a proxy in front might have read the last.
 */
export function requireApiKey(opts: { keys: string[] }): Middleware {
  return async function checkApiKey(ctx, next) {
    const match = /^Bearer\s+(\S+)$/i.exec(singleHeader(ctx.req, 'Authorization') ?? '');
    const presented = match?.[1];
    if (!presented || !opts.keys.some((k) => safeEqual(k, presented))) {
      throw new UnauthorizedError('missing or invalid API key');
    }
    await next();
  };
}
