import type { Context, Middleware } from 'koa';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors.js';

declare module 'koa' {
  interface Request {
    /** The exact bytes received, for signature checks. */
    rawBody?: Buffer;
    /** The parsed JSON body. */
    body?: unknown;
  }
}

/** Reads the body once, bounded, before anything parses it. */
export async function readRawBody(ctx: Context, limitBytes: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || '0');
  if (declared > limitBytes) throw new PayloadTooLargeError(limitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limitBytes) throw new PayloadTooLargeError(limitBytes);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export function requireJsonContentType(ctx: Context): void {
  if (!ctx.is('application/json', 'application/*+json')) throw new UnsupportedMediaTypeError();
}

/** Rejects bytes that are not UTF-8 instead of silently replacing them. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function parseJson(raw: Buffer): unknown {
  let text: string;
  try {
    text = strictUtf8.decode(raw);
  } catch {
    throw new BadRequestError('body is not valid UTF-8', 'invalid_utf8');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequestError('body is not valid JSON', 'invalid_json');
  }
}

/**
 * Raw bytes kept on ctx.request.rawBody, parsed JSON on ctx.request.body. Webhook routes
 * verify the signature on rawBody before they look at body.
 */
export function jsonBody(opts: { limitBytes: number }): Middleware {
  return async function readJsonBody(ctx, next) {
    if (ctx.method === 'POST' || ctx.method === 'PUT' || ctx.method === 'PATCH') {
      requireJsonContentType(ctx);
      const raw = await readRawBody(ctx, opts.limitBytes);
      ctx.request.rawBody = raw;
      ctx.request.body = raw.length ? parseJson(raw) : {};
    }
    await next();
  };
}
