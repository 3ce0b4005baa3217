import assert from 'node:assert/strict';
import { createAddressRules, parseAddressRule } from '../../../src/activities/video/address-rules.js';
import { loadConfig } from '../../../src/config.js';

/** [address, allowed with an empty allow-list, why] */
const CASES: [string, boolean, string][] = [
  ['8.8.8.8', true, 'public IPv4'],
  ['93.184.215.14', true, 'public IPv4'],
  ['2606:4700:4700::1111', true, 'public IPv6'],
  ['2a00:1450:4001::200e', true, 'public IPv6'],
  ['127.0.0.1', false, 'loopback'],
  ['127.255.255.254', false, 'loopback /8'],
  ['::1', false, 'IPv6 loopback'],
  ['0.0.0.0', false, 'unspecified'],
  ['0.1.2.3', false, '"this network"'],
  ['::', false, 'IPv6 unspecified'],
  ['10.0.0.1', false, 'private'],
  ['172.16.0.1', false, 'private'],
  ['172.31.255.255', false, 'private'],
  ['172.32.0.1', true, 'just outside 172.16/12'],
  ['192.168.1.1', false, 'private'],
  ['100.64.0.1', false, 'carrier-grade NAT'],
  ['169.254.169.254', false, 'cloud metadata (link-local)'],
  ['169.254.0.1', false, 'link-local'],
  ['fe80::1', false, 'IPv6 link-local'],
  ['FE80::abcd', false, 'IPv6 link-local, upper case'],
  ['fc00::1', false, 'unique-local'],
  ['fd00:ec2::254', false, 'unique-local (cloud metadata over IPv6)'],
  ['fec0::1', false, 'site-local'],
  ['::ffff:127.0.0.1', false, 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', false, 'IPv4-mapped loopback, hex'],
  ['::ffff:169.254.169.254', false, 'IPv4-mapped metadata'],
  ['::ffff:8.8.8.8', false, 'IPv4-mapped, even public'],
  ['::127.0.0.1', false, 'IPv4-compatible'],
  ['64:ff9b::7f00:1', false, 'NAT64 of loopback'],
  ['2002:7f00:1::', false, '6to4 of loopback'],
  ['2001:0:4136:e378::1', false, 'Teredo'],
  ['224.0.0.1', false, 'multicast'],
  ['239.255.255.250', false, 'multicast'],
  ['ff02::1', false, 'IPv6 multicast'],
  ['255.255.255.255', false, 'broadcast'],
  ['240.0.0.1', false, 'reserved'],
  ['192.0.2.1', false, 'documentation'],
  ['2001:db8::1', false, 'IPv6 documentation'],
  ['fe80::1%lo', false, 'link-local with a zone id'],
  ['2606:4700::1%eth0', false, 'a zone id on any address'],
  ['not-an-ip', false, 'not an address'],
  ['', false, 'empty'],
];

describe('download address rules', () => {
  it('refuses special-purpose addresses and allows public ones when nothing is allow-listed', () => {
    const rules = createAddressRules([]);
    const wrong = CASES.filter(([address, allowed]) => rules.allows(address) !== allowed);
    assert.deepEqual(
      wrong.map(
        ([address, allowed, why]) => `${address} (${why}) should be ${allowed ? 'allowed' : 'refused'}`,
      ),
      [],
    );
  });

  it('allows what the allow-list names, by address or CIDR, and nothing next to it', () => {
    const rules = createAddressRules(['127.0.0.1', '10.20.0.0/16', 'fd12:3456::/32', '::1']);
    assert.equal(rules.allows('127.0.0.1'), true);
    assert.equal(rules.allows('127.0.0.2'), false);
    assert.equal(rules.allows('10.20.255.1'), true);
    assert.equal(rules.allows('10.21.0.1'), false);
    assert.equal(rules.allows('fd12:3456:1::9'), true);
    assert.equal(rules.allows('fd12:3457::9'), false);
    assert.equal(rules.allows('::1'), true);
    assert.equal(rules.allows('169.254.169.254'), false);
  });

  it('does not let an IPv4 rule allow the IPv4-mapped IPv6 form of the same address', () => {
    assert.equal(createAddressRules(['127.0.0.1']).allows('::ffff:127.0.0.1'), false);
    assert.equal(createAddressRules(['0.0.0.0/0']).allows('::ffff:10.0.0.1'), false);
    assert.equal(createAddressRules(['::ffff:127.0.0.1']).allows('::ffff:127.0.0.1'), true);
    assert.equal(createAddressRules(['::ffff:127.0.0.1']).allows('127.0.0.1'), false);
  });

  it('rejects allow-list entries that are not addresses or CIDR blocks', () => {
    for (const bad of [
      'localhost',
      '10.0.0.0/33',
      '::/129',
      '10.0.0.0/8/1',
      '10.0.0.0/',
      '10.0.0.0/x',
      '1.2.3',
    ]) {
      assert.throws(() => parseAddressRule(bad), /not an IP address|prefix length/, bad);
    }
  });

  it('is configured by DOWNLOAD_ALLOWED_ADDRESSES and DOWNLOAD_ALLOWED_PORTS', () => {
    const dev = loadConfig({ PROVIDER_SIM_PORT: '4123' }).provider;
    assert.deepEqual(dev.downloadAllowedAddresses, ['127.0.0.1', '::1']);
    assert.deepEqual(dev.downloadAllowedPorts, [443, 4123]);
    const set = loadConfig({
      DOWNLOAD_ALLOWED_ADDRESSES: 'none',
      DOWNLOAD_ALLOWED_PORTS: '443,8443',
    }).provider;
    assert.deepEqual(set.downloadAllowedAddresses, []);
    assert.deepEqual(set.downloadAllowedPorts, [443, 8443]);
    assert.throws(
      () => loadConfig({ DOWNLOAD_ALLOWED_ADDRESSES: '10.0.0.0/40' }),
      /DOWNLOAD_ALLOWED_ADDRESSES/,
    );
    assert.throws(() => loadConfig({ DOWNLOAD_ALLOWED_PORTS: '443,http' }), /DOWNLOAD_ALLOWED_PORTS/);
  });
});
