import Router from '@koa/router';
import type { Context, Next } from 'koa';
import type { Payload } from '@temporalio/common';
import { EncryptionCodec } from '../../temporal/encryption-codec.js';
import type { ApiDeps } from '../deps.js';
import { fromLoopback } from '../client-address.js';
import { BadRequestError, NotFoundError } from '../errors.js';
import { jsonBody } from '../middleware/json-body.js';
import { requireApiKey } from '../middleware/api-key.js';

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const toPayload = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
  ),
  data: p.data === undefined ? undefined : Buffer.from(p.data, 'base64'),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [
      k,
      Buffer.from(v ?? new Uint8Array()).toString('base64'),
    ]),
  ),
  data: p.data ? Buffer.from(p.data).toString('base64') : undefined,
});

/** The largest codec request (a page of payloads); the load balancer lets bodies this size through. */
export const CODEC_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

/**
 * The codec endpoint the Temporal Web UI calls (`--ui-codec-endpoint <api>/codec`) so that
 * operators read decrypted payloads in their browser while history stays encrypted. Callers
 * need an API key; outside production, a browser on this machine (loopback) is let through so
 * the local Web UI works out of the box. Behind a shared deployment, put it behind the same
 * single sign-on proxy as the Web UI.
 */
export function codecRoutes(deps: ApiDeps): Router {
  const router = new Router({ prefix: '/codec' });
  const keys = deps.config.payloadEncryption.keys;
  const codec = keys.length ? new EncryptionCodec(keys) : undefined;
  const origins = new Set(deps.config.payloadEncryption.codecCorsOrigins);
  const apiKey = requireApiKey({ keys: deps.config.api.apiKeys });

  async function cors(ctx: Context, next: Next) {
    const origin = ctx.get('origin');
    if (origin && origins.has(origin)) {
      ctx.set('Access-Control-Allow-Origin', origin);
      ctx.set('Access-Control-Allow-Credentials', 'true');
      ctx.set('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
      ctx.set('Access-Control-Allow-Methods', 'POST, OPTIONS');
      ctx.set('Vary', 'Origin');
    }
    await next();
  }
  async function authorise(ctx: Context, next: Next) {
    // Through the cluster's nginx every socket is loopback: the forwarded address decides.
    const localDev = deps.config.env !== 'production' && fromLoopback(ctx);
    if (localDev) return next();
    return apiKey(ctx, next);
  }

  router.options('/:op', cors, (ctx) => {
    ctx.status = 204;
  });
  router.post('/:op', cors, authorise, jsonBody({ limitBytes: CODEC_BODY_LIMIT_BYTES }), async (ctx) => {
    const op = ctx.params.op;
    if (op !== 'encode' && op !== 'decode') throw new NotFoundError(`no codec operation "${op}"`);
    const body = ctx.request.body as { payloads?: JsonPayload[] };
    if (!Array.isArray(body.payloads)) throw new BadRequestError('payloads: expected an array');
    const payloads = body.payloads.map(toPayload);
    const result = codec ? await codec[op](payloads) : payloads;
    ctx.body = { payloads: result.map(toJson) };
  });
  return router;
}
