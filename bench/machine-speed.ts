import { createHash } from 'node:crypto';

/**
 * How fast this machine runs a fixed piece of work right now: SHA-256 over a 1 MiB buffer, as
 * many times as fit in `windowMs`, on one core, in MB/s. Read just before a stack starts and
 * just after it stops, with nothing of the bench's running. The same code costing more CPU
 * later in a day of runs shows up here first: a lower figure means the machine (a shared host
 * under a VM) gives less per CPU second, which no per-process counter reports.
 */
export function measureMachineSpeed(windowMs = 2_000): number {
  const buffer = Buffer.alloc(1 << 20, 0x5a);
  const started = performance.now();
  let hashed = 0;
  while (performance.now() - started < windowMs) {
    createHash('sha256').update(buffer).digest();
    hashed += buffer.length;
  }
  return Math.round(hashed / 1e6 / ((performance.now() - started) / 1000));
}
