import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import type { AddressRules } from './address-rules.js';
import { notAllowed } from './download-target.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Turns a host name into its addresses; the worker uses the system's, tests pass their own. */
export type HostResolver = (host: string) => Promise<ResolvedAddress[]>;

export async function systemResolver(host: string): Promise<ResolvedAddress[]> {
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

/**
 * The address a download connects to, looked up once. Every address the host has must be
 * allowed: a name that also resolves to a refused address is refused, whatever order DNS
 * answers in. A failed lookup is a plain (retryable) error, as any network error.
 */
export async function checkedAddress(
  host: string,
  rules: AddressRules,
  resolve: HostResolver,
): Promise<ResolvedAddress> {
  const literal = isIP(host);
  const addresses: ResolvedAddress[] = literal
    ? [{ address: host, family: literal === 6 ? 6 : 4 }]
    : await resolve(host);
  const first = addresses[0];
  if (!first) throw ApplicationFailure.retryable(`download host ${host} has no address`, 'DownloadNoAddress');
  const refused = addresses.find((a) => !rules.allows(a.address));
  if (refused) {
    const what = literal
      ? `download address ${host}`
      : `download host ${host} resolves to ${refused.address}, which`;
    throw notAllowed(`${what} is not allowed (DOWNLOAD_ALLOWED_ADDRESSES)`);
  }
  return first;
}
