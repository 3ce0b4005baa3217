import type { ProviderControl } from '../dev/storm/provider-control.js';
import type { Client } from '@temporalio/client';
import { countVideoJobs } from './video-job-count.js';

const PROGRESS_EVERY_MS = 10_000;

/** What the progress lines read: the sender's counters and the video lane's jobs. */
export interface ProgressSources {
  provider: ProviderControl;
  client: Client;
  log(line: string): void;
}

/** A stderr line every ~10 s while the step runs: rate, acks so far, their p99, the backlog. */
export function reportProgress(ctx: ProgressSources, perMinute: number, started: number, holdMs: number) {
  let stopped = false;
  let wake: () => void = () => {};
  const loop = (async () => {
    while (!stopped) {
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, PROGRESS_EVERY_MS);
      });
      if (stopped) break;
      try {
        const [stats, running] = await Promise.all([
          ctx.provider.stats(),
          countVideoJobs(ctx.client, 'Running'),
        ]);
        const w = stats.webhooks;
        const unacked = Math.max(0, w.events - w.dropped - w.acked - w.gaveUp - w.rejected);
        const elapsed = Math.round((Date.now() - started) / 1000);
        const stage = elapsed * 1000 <= holdMs ? `${elapsed}/${holdMs / 1000}s` : `draining, ${elapsed}s`;
        ctx.log(
          `${perMinute}/min ${stage}: acks ${w.acked}, ack p99 ${stats.ackLatencyMs.p99} ms, ` +
            `503s ${w.failedByStatus['503'] ?? 0}; backlog ${unacked} webhooks unacked, ${running} jobs running`,
        );
      } catch (err) {
        ctx.log(`progress: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake();
      await loop;
    },
  };
}
