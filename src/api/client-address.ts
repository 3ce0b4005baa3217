import type { Context } from 'koa';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * The address of whoever sent the request. Behind the cluster profile's nginx every request
 * arrives from loopback, so the socket alone would make a remote caller look local: when the
 * connection is from loopback and carries `X-Forwarded-For`, the last entry — the one our
 * nginx appended, not any a client wrote itself — is the caller. Not from loopback: the
 * socket, whatever the header says (anyone could send one).
 */
export function clientAddress(ctx: Context): string {
  const socket = ctx.socket.remoteAddress ?? '';
  const forwarded = ctx.get('x-forwarded-for');
  if (!LOOPBACK.has(socket) || !forwarded) return socket;
  return forwarded.split(',').at(-1)?.trim() ?? socket;
}

/** Whether the caller is on this machine, seen through the load balancer if there is one. */
export function fromLoopback(ctx: Context): boolean {
  return LOOPBACK.has(clientAddress(ctx));
}
