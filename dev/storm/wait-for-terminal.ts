import type { Client } from '@temporalio/client';
import { videoWorkflowId } from '../../src/shared/video-job.js';

export type JobOutcome = 'completed' | 'failed' | 'pending';

export interface WaitOptions {
  client: Client;
  videoIds: readonly string[];
  timeoutMs: number;
  /** Describe calls in flight at once. */
  concurrency?: number;
  pollIntervalMs?: number;
  onSweep?(outcomes: ReadonlyMap<string, JobOutcome>): void;
}

/**
 * Asks Temporal, job by job, until every `video-<id>` workflow is closed or the timeout
 * passes. Closed and completed is `completed`; failed, terminated, canceled or timed out is
 * `failed`; still running or never started is `pending` (lost, if it stays so).
 */
export async function waitForTerminal(opts: WaitOptions): Promise<Map<string, JobOutcome>> {
  const outcomes = new Map<string, JobOutcome>(opts.videoIds.map((id) => [id, 'pending']));
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.pollIntervalMs ?? 1_000;
  const maxSweeps = Math.ceil(opts.timeoutMs / interval) + 1;
  for (let sweep = 0; sweep < maxSweeps; sweep += 1) {
    const pending = [...outcomes].filter(([, o]) => o === 'pending').map(([id]) => id);
    await mapLimited(pending, opts.concurrency ?? 16, async (id) => {
      outcomes.set(id, await describeOutcome(opts.client, id));
    });
    opts.onSweep?.(outcomes);
    const left = [...outcomes.values()].some((o) => o === 'pending');
    if (!left || Date.now() + interval > deadline) break;
    await new Promise((r) => setTimeout(r, interval));
  }
  return outcomes;
}

async function describeOutcome(client: Client, videoId: string): Promise<JobOutcome> {
  try {
    const { status } = await client.workflow.getHandle(videoWorkflowId(videoId)).describe();
    if (status.name === 'COMPLETED') return 'completed';
    if (status.name === 'RUNNING' || status.name === 'CONTINUED_AS_NEW') return 'pending';
    return 'failed';
  } catch {
    // Not found yet (an adopted job whose first webhook is still on its way) or a transient
    // describe failure: either way, ask again on the next sweep.
    return 'pending';
  }
}

async function mapLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(lanes);
}
