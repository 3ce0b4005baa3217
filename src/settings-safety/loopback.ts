import { BlockList, isIP } from 'node:net';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4'); // IPv4-mapped (::ffff:127.0.0.1) matches it too
loopback.addAddress('::1', 'ipv6');

/**
 * `[::1]` → `::1`; names without case or a trailing dot; IPv4 in the forms a URL accepts
 * (`127.1`, `0x7f000001`, `2130706433`) as the dotted address they reach.
 */
function bare(host: string): string {
  const h = host
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
  if (isIP(h) === 6) return h;
  try {
    return new URL(`http://${h}/`).hostname.replace(/\.$/, '');
  } catch {
    return h;
  }
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
  return isLoopbackHost(h) || h === '0.0.0.0' || h === '::';
}
