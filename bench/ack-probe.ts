import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { summarize, type LatencySummary } from '../dev/provider/latency-recorder.js';
import type { UrlTokenKey } from '../src/api/webhooks/webhook-url-token.js';
import { postWebhook, signedReplicateWebhook } from './signed-webhook.js';

export interface AckProbeOptions {
  webhookUrl: string;
  secret: string;
  urlTokenKeys: readonly UrlTokenKey[];
  perSecond: number;
  durationMs: number;
}

export interface AckProbeResult {
  ack: LatencySummary;
  /** Deliveries not answered 202 (refused, 503, or no answer). */
  notAccepted: number;
}

/**
 * What one probe job's webhooks say: a start and two signals, as many acks of each kind as a
 * storm job gets. No terminal status, so no download and no failed run in the worker's log;
 * the job waits for its reconciliation, which comes after the bench has stopped the stack.
 */
const LIFECYCLE = ['starting', 'processing', 'processing'] as const;

/**
 * A second webhook sender, beside the simulated provider's storm: the bench process (otherwise
 * idle, not niced) posts signed webhooks on a fixed schedule and times each ack. The provider
 * simulator's own ack timer also waits on its event loop, busy serving the video files the
 * workers download; this one stands for a sender on a machine of its own. Bounded by duration.
 */
export async function probeAcks(opts: AckProbeOptions): Promise<AckProbeResult> {
  const run = Math.random().toString(36).slice(2, 8);
  const agent = new Agent({ keepAlive: true });
  const url = new URL(opts.webhookUrl);
  const latencies: number[] = [];
  let notAccepted = 0;
  const sends: Promise<void>[] = [];
  const total = Math.floor((opts.durationMs / 1000) * opts.perSecond);
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / opts.perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const predictionId = `ackprobe-${run}-${Math.floor(i / LIFECYCLE.length)}`;
    const d = signedReplicateWebhook(
      opts.secret,
      opts.urlTokenKeys,
      `msg_${run}_${i}`,
      predictionId,
      LIFECYCLE[i % LIFECYCLE.length]!,
    );
    const sent = performance.now();
    sends.push(
      postWebhook(agent, url, d).then(
        (status) => {
          if (status === 202) latencies.push(performance.now() - sent);
          else notAccepted += 1;
        },
        () => {
          notAccepted += 1;
        },
      ),
    );
  }
  await Promise.all(sends);
  agent.destroy();
  return { ack: summarize(latencies), notAccepted };
}
