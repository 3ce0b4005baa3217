import { Agent } from 'node:http';
import type { Client } from '@temporalio/client';
import { deliverEvent } from '../src/api/webhooks/deliver-event.js';
import { replicateAdapter } from '../src/api/webhooks/replicate-adapter.js';
import type { WebhookDelivery } from '../src/api/webhooks/webhook-adapter.js';
import type { Config } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { postWebhook, signedReplicateWebhook } from './signed-webhook.js';

export interface IngestOptions {
  apiUrl: string;
  config: Config;
  client: Client;
  concurrency: number;
  /** Length of each window; windows alternate webhook route / raw loop. */
  windowMs: number;
  /** Windows per side. */
  rounds: number;
  log(line: string): void;
}

export interface IngestResult {
  /** Accepted events per second, one figure per window. */
  webhookRoute: number[];
  rawSignalWithStart: number[];
  /** Median webhook-route rate ÷ median raw rate. */
  ratio: number;
}

type Sender = (n: number) => Promise<boolean>;

/**
 * Ingest capacity of `POST /webhooks/replicate` against the floor under it: a loop of the very
 * same signalWithStart (deliverEvent, with the adapter's own normalization of the same body) run
 * from the bench process on the same server with the same workers. Windows alternate so both
 * sides see the same machine load; each start is a new workflow, as a storm of new jobs is.
 */
export async function measureIngest(opts: IngestOptions): Promise<IngestResult> {
  const run = Math.random().toString(36).slice(2, 8);
  const secret = opts.config.webhooks.replicateSecrets[0]!;
  const { urlTokenKeys, toleranceMs } = opts.config.webhooks;
  const adapter = replicateAdapter({ secrets: [secret], toleranceMs, urlTokenKeys });
  const deps = { client: opts.client, config: opts.config, log: createLogger('bench-ingest', 'error') };

  const delivery = (side: string, n: number): WebhookDelivery => {
    const id = `ing-${run}-${side}-${n}`;
    return signedReplicateWebhook(secret, urlTokenKeys, `msg_${id}`, id, 'starting');
  };
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const webhookUrl = new URL(`${opts.apiUrl}/webhooks/replicate`);
  const viaRoute: Sender = async (n) => (await postWebhook(agent, webhookUrl, delivery('w', n))) === 202;
  const raw: Sender = async (n) => {
    const d = delivery('r', n);
    adapter.verify(d, Date.now());
    const normalized = adapter.normalize(JSON.parse(d.rawBody.toString('utf8')), d);
    return (await deliverEvent(deps, 'replicate', normalized)) === 'accepted';
  };

  const result: IngestResult = { webhookRoute: [], rawSignalWithStart: [], ratio: 0 };
  let sequence = 0;
  for (let round = 0; round < opts.rounds; round++) {
    // Alternate which side goes first, so neither always follows the other's tail.
    const order: Array<[keyof Omit<IngestResult, 'ratio'>, Sender]> =
      round % 2 === 0
        ? [
            ['webhookRoute', viaRoute],
            ['rawSignalWithStart', raw],
          ]
        : [
            ['rawSignalWithStart', raw],
            ['webhookRoute', viaRoute],
          ];
    for (const [side, send] of order) {
      const rate = await window(send, opts.concurrency, opts.windowMs, () => (sequence += 1));
      result[side].push(rate);
      opts.log(`ingest round ${round + 1}/${opts.rounds}: ${side} ${rate.toFixed(1)}/s`);
    }
  }
  agent.destroy();
  result.ratio = median(result.webhookRoute) / median(result.rawSignalWithStart);
  return result;
}

/** `concurrency` closed-loop senders for `windowMs`; accepted events per second. */
async function window(
  send: Sender,
  concurrency: number,
  windowMs: number,
  next: () => number,
): Promise<number> {
  const started = Date.now();
  const end = started + windowMs;
  let accepted = 0;
  const worker = async () => {
    while (Date.now() < end) {
      if (await send(next()).catch(() => false)) accepted += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return accepted / ((Date.now() - started) / 1000);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
