import { createHash } from 'node:crypto';

export interface MachineSpeed {
  /** SHA-256 over 1 MiB, one core: pure compute, blind to what memory costs. */
  hashMBps: number;
  /**
   * Memory touched for the first time: MB/s of fresh pages, one write per 4 KiB page. This is
   * what a process pays to grow its heap. On a VM that hands freed pages back to its host (this
   * machine's balloon reports free pages), each first touch may also cost the host a fault,
   * which the hash above never meets.
   */
  freshMemoryMBps: number;
}

/**
 * How fast this machine runs two fixed pieces of work right now, each for `windowMs`. Read
 * just before a stack starts and just after it stops, with nothing of the bench's running. The
 * same code costing more CPU later in a day of runs shows up here: a lower figure means the
 * machine (a shared host under a VM) gives less per CPU second, which no per-process counter
 * reports.
 */
export function measureMachineSpeed(windowMs = 2_000): MachineSpeed {
  return { hashMBps: hashSpeed(windowMs), freshMemoryMBps: freshMemorySpeed(windowMs) };
}

function hashSpeed(windowMs: number): number {
  const buffer = Buffer.alloc(1 << 20, 0x5a);
  const started = performance.now();
  let hashed = 0;
  while (performance.now() - started < windowMs) {
    createHash('sha256').update(buffer).digest();
    hashed += buffer.length;
  }
  return Math.round(hashed / 1e6 / ((performance.now() - started) / 1000));
}

const PAGE = 4096;
const CHUNK = 64 << 20;

/**
 * Median MB/s over rounds of allocating 64 MiB outside the V8 heap (a fresh mapping: the
 * allocator hands chunks this size straight to the kernel and back) and writing one byte per
 * page. Only the page faults and zeroing are timed, not a memory copy.
 */
function freshMemorySpeed(windowMs: number): number {
  const rates: number[] = [];
  const started = performance.now();
  while (performance.now() - started < windowMs) {
    const t0 = performance.now();
    const chunk = Buffer.allocUnsafeSlow(CHUNK);
    for (let i = 0; i < chunk.length; i += PAGE) chunk[i] = 1;
    rates.push(CHUNK / 1e6 / ((performance.now() - t0) / 1000));
  }
  rates.sort((a, b) => a - b);
  return Math.round(rates[Math.floor(rates.length / 2)]!);
}
