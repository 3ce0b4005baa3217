import Router from '@koa/router';
import type { Context, Next } from 'koa';
import type { Payload } from '@temporalio/common';
import { EncryptionCodec } from '../../temporal/encryption-codec.js';
import type { ApiDeps } from '../deps.js';
import { BadRequestError, NotFoundError } from '../errors.js';
import { jsonBody } from '../middleware/json-body.js';
import { requireCodecAccess } from '../middleware/codec-access.js';

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
 * operators read decrypted payloads in their browser while history stays encrypted. It takes
 * its own credential, never a product API key (src/api/middleware/codec-access.ts); see
 * docs/payload-privacy.md. Plaintext payloads pass through: the UI only shows what it gets.
 */
export function codecRoutes(deps: ApiDeps): Router {
  const router = new Router({ prefix: '/codec' });
  const enc = deps.config.payloadEncryption;
  const codec = enc.keys.length ? new EncryptionCodec(enc.keys) : undefined;
  const origins = new Set(enc.codecCorsOrigins);
  const authorise = requireCodecAccess({
    tokens: enc.codecTokens,
    trustLoopback: enc.codecTrustLoopback,
    loopbackHosts: enc.codecLoopbackHosts,
    origins: enc.codecCorsOrigins,
  });

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
