import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';
import { UnauthorizedError } from '../errors.js';
import { singleHeader } from '../raw-headers.js';

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The `Authorization: Bearer <token>` value, if any (given twice is a 400). */
export function presentedBearer(req: IncomingMessage): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(singleHeader(req, 'Authorization') ?? '')?.[1];
}

/** Whether `presented` is one of `keys`, compared in constant time. */
export function isOneOf(keys: string[], presented: string): boolean {
  return keys.some((k) => safeEqual(k, presented));
}

/**
 * `Authorization: Bearer <key>` for the product backend's routes; keys rotate as a list. Given
 * twice is a 400: Node would keep only the first, and a proxy in front might have read the last.
 */
export function requireApiKey(opts: { keys: string[] }): Middleware {
  return async function checkApiKey(ctx, next) {
    const presented = presentedBearer(ctx.req);
    if (!presented || !isOneOf(opts.keys, presented)) {
      throw new UnauthorizedError('missing or invalid API key');
    }
    await next();
  };
}
