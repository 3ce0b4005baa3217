import { BlockList, isIP } from 'node:net';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');
loopback.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/** `[::1]` (as in a URL) → `::1`; names compare without case or a trailing dot. */
function bare(host: string): string {
  return host
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

/** True when `host` reaches only this machine: localhost (and *.localhost), 127.0.0.0/8, ::1. */
export function isLoopbackHost(host: string): boolean {
  const h = bare(host);
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const family = isIP(h);
  return family !== 0 && loopback.check(h, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * True when a link or allowed host names this machine: loopback, or the "any address" of a
 * bind (0.0.0.0, ::), which as a destination also means this machine.
 */
export function isThisMachine(host: string): boolean {
  const h = bare(host);
  return isLoopbackHost(h) || h === '0.0.0.0' || h === '::' || h === '0';
}
