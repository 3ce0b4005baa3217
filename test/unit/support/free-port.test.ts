import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { freePort, freePortRange } from '../../support/free-port.js';

/** Linux's range for the local ports of outgoing connections. */
function ephemeralRange(): [number, number] {
  const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
  return [Number(low), Number(high)];
}

describe('free ports for the servers tests start', () => {
  it('never come from the range outgoing connections take their local ports from', async () => {
    const [low, high] = ephemeralRange();
    const ports = await Promise.all(Array.from({ length: 40 }, () => freePort()));
    const inside = ports.filter((port) => port >= low && port <= high);
    assert.deepEqual(inside, [], `ephemeral range ${low}-${high}`);
  });

  it('are never handed out twice, even to calls running side by side', async () => {
    const single = await Promise.all(Array.from({ length: 1_000 }, () => freePort()));
    const base = await freePortRange(10);
    const all = [...single, ...Array.from({ length: 10 }, (_, i) => base + i)];
    assert.equal(new Set(all).size, all.length);
  });
});
