import { Worker } from 'node:worker_threads';

/** A moment when a timer that asks for 10 ms came back late, on a thread with nothing else to do. */
export interface Stall {
  /** When the stall began. */
  at: string;
  ms: number;
}

export interface StallWatchResult {
  /** Every stall at or over the threshold, in order. */
  stalls: Stall[];
  longestMs: number;
}

/** The watcher: a thread of its own, so neither the bench's work nor its GC shows as a stall. */
const WATCHER = `
const { parentPort, workerData } = require('node:worker_threads');
let last = performance.now();
const tick = () => {
  const now = performance.now();
  const late = now - last - 10;
  if (late >= workerData.thresholdMs) {
    parentPort.postMessage({ at: new Date(Date.now() - (now - last)).toISOString(), ms: Math.round(late) });
  }
  last = now;
  setTimeout(tick, 10);
};
setTimeout(tick, 10);
`;

/**
 * Watches for moments when the machine gave no time to an idle thread. The stack's own
 * stalls (a reset waiting 1.5 s in one phase, then the next resets too) either line up with
 * one of these — the whole machine stopped, Floodgate with it — or do not, and the stall is
 * the stack's own.
 */
export function startStallWatch(thresholdMs = 200): { stop(): Promise<StallWatchResult> } {
  const stalls: Stall[] = [];
  const worker = new Worker(WATCHER, { eval: true, workerData: { thresholdMs } });
  worker.on('message', (stall: Stall) => stalls.push(stall));
  worker.unref();
  return {
    async stop() {
      await worker.terminate();
      return { stalls, longestMs: Math.max(0, ...stalls.map((s) => s.ms)) };
    },
  };
}
