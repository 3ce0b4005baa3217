import type { Middleware } from 'koa';
import { fromLoopback } from '../client-address.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import { singleHeader } from '../raw-headers.js';
import { isOneOf, presentedBearer } from './api-key.js';

export interface CodecAccessOptions {
  /** CODEC_AUTH_TOKENS: the codec's own Bearer tokens; API keys are never accepted here. */
  tokens: string[];
  /** CODEC_TRUST_LOOPBACK (development only): a loopback caller needs no token… */
  trustLoopback: boolean;
  /** …when its Host is one of these (a DNS-rebinding page carries its own name). */
  loopbackHosts: string[];
  /** CODEC_CORS_ORIGINS: a browser request from any other origin is refused. */
  origins: string[];
}

/**
 * Who may encrypt and decrypt payloads through `/codec`: whoever holds a codec token, or, as an
 * explicit development setting, this machine's own Web UI. A product API key opens every
 * tenant's payloads, so it does not open this door.
 */
export function requireCodecAccess(opts: CodecAccessOptions): Middleware {
  const origins = new Set(opts.origins);
  const hosts = new Set(opts.loopbackHosts.map((h) => h.toLowerCase()));
  return async function checkCodecAccess(ctx, next) {
    const origin = singleHeader(ctx.req, 'Origin');
    if (origin !== undefined && !origins.has(origin)) {
      throw new ForbiddenError('origin not allowed to call /codec (CODEC_CORS_ORIGINS)', 'origin_forbidden');
    }
    const presented = presentedBearer(ctx.req);
    if (presented !== undefined) {
      if (!isOneOf(opts.tokens, presented)) throw new UnauthorizedError('missing or invalid codec token');
      return next();
    }
    // Behind the cluster's nginx every socket is loopback: the forwarded address decides.
    if (opts.trustLoopback && fromLoopback(ctx)) {
      const host = (singleHeader(ctx.req, 'Host') ?? '').toLowerCase();
      if (!hosts.has(host)) {
        throw new ForbiddenError(
          'Host not allowed for a loopback caller (CODEC_LOOPBACK_HOSTS)',
          'host_forbidden',
        );
      }
      return next();
    }
    throw new UnauthorizedError('missing or invalid codec token');
  };
}
