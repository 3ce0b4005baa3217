import { BlockList, isIP } from 'node:net';

/**
 * Addresses a download never connects to unless the allow-list names them: the download URL
 * comes from a webhook, and these reach the machine itself, the private network, the cloud's
 * metadata service (169.254.169.254) or, through an embedded IPv4 address, any of those.
 * From the IANA special-purpose registries.
 */
export const REFUSED_RANGES = {
  ipv4: [
    '0.0.0.0/8', // "this network", includes the unspecified 0.0.0.0
    '10.0.0.0/8', // private
    '100.64.0.0/10', // carrier-grade NAT (shared)
    '127.0.0.0/8', // loopback
    '169.254.0.0/16', // link-local, cloud metadata
    '172.16.0.0/12', // private
    '192.0.0.0/24', // IETF protocol assignments
    '192.0.2.0/24', // documentation
    '192.88.99.0/24', // 6to4 relay
    '192.168.0.0/16', // private
    '198.18.0.0/15', // benchmarking
    '198.51.100.0/24', // documentation
    '203.0.113.0/24', // documentation
    '224.0.0.0/4', // multicast
    '240.0.0.0/4', // reserved, includes broadcast 255.255.255.255
  ],
  ipv6: [
    '::/128', // unspecified
    '::1/128', // loopback
    '::/96', // IPv4-compatible (deprecated)
    '::ffff:0:0/96', // IPv4-mapped
    '64:ff9b::/96', // NAT64, embeds IPv4
    '64:ff9b:1::/48', // local NAT64
    '100::/64', // discard
    '2001::/32', // Teredo, embeds IPv4
    '2001:db8::/32', // documentation
    '2002::/16', // 6to4, embeds IPv4
    'fc00::/7', // unique-local
    'fe80::/10', // link-local
    'fec0::/10', // site-local (deprecated)
    'ff00::/8', // multicast
  ],
} as const;

type Family = 'ipv4' | 'ipv6';

/** One allow-list entry: an address or a CIDR block. */
export interface AddressRule {
  address: string;
  prefix: number;
  family: Family;
}

/** Parses `10.1.2.3`, `10.0.0.0/8`, `::1` or `fd00::/8`; throws with a readable message otherwise. */
export function parseAddressRule(text: string): AddressRule {
  const [address = '', prefixText, ...rest] = text.trim().split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) throw new Error(`"${text}" is not an IP address or CIDR block`);
  const family: Family = version === 4 ? 'ipv4' : 'ipv6';
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? String(max)) || prefix > max) {
    throw new Error(`"${text}" has a prefix length outside 0-${max}`);
  }
  return { address, prefix, family };
}

/**
 * Decides whether a download may connect to an address: allowed if the allow-list covers it,
 * else refused if it is in REFUSED_RANGES, else allowed. Each family is checked only against
 * its own rules, so an IPv4-mapped IPv6 address is allowed only by an IPv6 rule for it.
 */
export function createAddressRules(allowed: readonly string[]) {
  const allow = { ipv4: new BlockList(), ipv6: new BlockList() };
  for (const rule of allowed.map(parseAddressRule)) {
    allow[rule.family].addSubnet(rule.address, rule.prefix, rule.family);
  }
  const refused = { ipv4: new BlockList(), ipv6: new BlockList() };
  for (const family of ['ipv4', 'ipv6'] as const) {
    for (const range of REFUSED_RANGES[family]) {
      const rule = parseAddressRule(range);
      refused[family].addSubnet(rule.address, rule.prefix, family);
    }
  }
  return {
    allows(address: string): boolean {
      const version = isIP(address);
      // A zone id (`fe80::1%eth0`) names a local interface: never a provider's address.
      if (version === 0 || address.includes('%')) return false;
      const family: Family = version === 4 ? 'ipv4' : 'ipv6';
      // One list per family: a BlockList holding IPv4 rules also matches IPv4-mapped IPv6
      // addresses, which would let `127.0.0.1` allow `::ffff:127.0.0.1` by accident.
      if (allow[family].check(address, family)) return true;
      return !refused[family].check(address, family);
    },
  };
}

export type AddressRules = ReturnType<typeof createAddressRules>;
