import type { AddressRules } from './address-rules.js';
import { checkedAddress, type HostResolver } from './download-address.js';
import { bareHost, checkDownloadUrl, notAllowed, type UrlRules } from './download-target.js';
import { pinnedGet } from './pinned-request.js';

/** Where a download may connect: URL rules, address rules, and the resolver that feeds them. */
export interface DownloadNetwork extends UrlRules {
  addresses: AddressRules;
  resolve: HostResolver;
}

export const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * GETs a checked download URL, following a few redirects. Each hop is checked as the first URL
 * was (scheme, host, port, then the address its host resolves to) before anything connects,
 * and the connection goes to the address that passed.
 */
export async function checkedFetch(
  first: URL,
  network: DownloadNetwork,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<Response> {
  let url = first;
  for (let hop = 0; ; hop += 1) {
    const target = await checkedAddress(bareHost(url), network.addresses, network.resolve);
    const res = await pinnedGet(url, target, headers, signal);
    const location = res.headers.get('location');
    if (!REDIRECT_STATUSES.has(res.status) || location === null) return res;
    await res.body?.cancel();
    if (hop >= MAX_REDIRECTS) throw notAllowed(`download URL redirects more than ${MAX_REDIRECTS} times`);
    url = checkDownloadUrl(nextUrl(location, url), network);
  }
}

function nextUrl(location: string, base: URL): string {
  try {
    return new URL(location, base).href;
  } catch {
    throw notAllowed('download redirect has an invalid Location');
  }
}
