import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { StallWatchResult } from '../../../bench/stall-watch.js';

const child = new URL('./fixtures/stall-watch-child.ts', import.meta.url).pathname;

/** Runs the watch in a process of its own; `pause` stops that whole process for a while, as a frozen machine would. */
async function watch(opts: {
  durationMs: number;
  busyMs?: number;
  pause?: { afterMs: number; forMs: number };
}) {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', child, String(opts.durationMs), String(opts.busyMs ?? 0)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  proc.stdout.setEncoding('utf8');
  const watching = new Promise<void>((resolve) =>
    proc.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('watching')) resolve();
    }),
  );
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  await watching;
  if (opts.pause) {
    await new Promise((r) => setTimeout(r, opts.pause!.afterMs));
    proc.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, opts.pause!.forMs));
    proc.kill('SIGCONT');
  }
  await exited;
  return JSON.parse(out.trim().split('\n').at(-1)!) as StallWatchResult;
}

describe('bench: machine stall watch', function () {
  this.timeout(20_000);

  it('sees a moment the whole process got no time, with its length', async () => {
    const result = await watch({ durationMs: 2_000, pause: { afterMs: 300, forMs: 700 } });
    assert.equal(result.stalls.length, 1, JSON.stringify(result));
    assert.ok(result.longestMs >= 600 && result.longestMs < 1_500, JSON.stringify(result));
  });

  it("does not count the bench's own busy main thread as a stall of the machine", async () => {
    const result = await watch({ durationMs: 1_500, busyMs: 800 });
    assert.deepEqual(result, { stalls: [], longestMs: 0 });
  });
});
