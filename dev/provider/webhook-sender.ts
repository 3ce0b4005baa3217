import { Webhook } from 'standardwebhooks';
import { answerKey } from './answer-key.js';
import type { StatsBook } from './provider-stats.js';
import type { TimerSet } from './timer-set.js';

export interface DeliveryPolicy {
  /** Attempts per event, the first one included. */
  maxAttempts: number;
  /** Backoff before redelivery n is baseDelayMs * 2^(n-1), capped, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** An attempt with no response by then counts as failed (`timeout`). */
  timeoutMs: number;
  /** Deliveries on the wire at once; the rest wait in a queue. */
  maxInFlight: number;
}

export const DEFAULT_DELIVERY: DeliveryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 250,
  maxDelayMs: 15_000,
  timeoutMs: 10_000,
  maxInFlight: 64,
};

export interface OutgoingWebhook {
  url: string;
  /** `webhook-id`: one per event, kept across redeliveries and duplicates. */
  id: string;
  body: string;
}

/**
 * Sends Standard-Webhooks-signed POSTs the way a real sender does: a bounded number in
 * flight, redelivery with exponential backoff and jitter when there is no 2xx (connection
 * refused, timeout, 5xx, 408, 429), no redelivery for other 4xx. Every attempt is counted.
 */
export class WebhookSender {
  private readonly signer: Webhook;
  private readonly queue: Array<() => Promise<void>> = [];
  private active = 0;
  private readonly aborter = new AbortController();

  constructor(
    secret: string,
    private readonly policy: DeliveryPolicy,
    private readonly stats: StatsBook,
    private readonly timers: TimerSet,
  ) {
    this.signer = new Webhook(secret);
  }

  send(message: OutgoingWebhook): void {
    this.enqueue(() => this.attempt(message, 1));
  }

  get queued(): number {
    return this.queue.length;
  }

  get inFlight(): number {
    return this.active;
  }

  /** Aborts deliveries on the wire and forgets queued ones. */
  stop(): void {
    this.queue.length = 0;
    this.aborter.abort();
  }

  private enqueue(task: () => Promise<void>): void {
    if (this.aborter.signal.aborted) return;
    this.queue.push(task);
    this.pump();
  }

  private pump(): void {
    while (this.active < this.policy.maxInFlight && this.queue.length > 0) {
      const task = this.queue.shift()!;
      this.active += 1;
      void task().finally(() => {
        this.active -= 1;
        this.pump();
      });
    }
  }

  private async attempt(message: OutgoingWebhook, attempt: number): Promise<void> {
    const w = this.stats.counters.webhooks;
    w.attempts += 1;
    if (attempt > 1) w.retries += 1;
    const { outcome, retryAfter } = await this.post(message);
    if (this.aborter.signal.aborted) return;
    if (typeof outcome === 'number' && outcome >= 200 && outcome < 300) {
      w.acked += 1;
      this.stats.bump(w.ackedByStatus, outcome);
      return;
    }
    this.stats.bump(w.failedByStatus, typeof outcome === 'number' ? answerKey(outcome, retryAfter) : outcome);
    if (
      typeof outcome === 'number' &&
      outcome >= 400 &&
      outcome < 500 &&
      outcome !== 408 &&
      outcome !== 429
    ) {
      w.rejected += 1;
      return;
    }
    if (attempt >= this.policy.maxAttempts) {
      w.gaveUp += 1;
      if (w.gaveUpVideoIds.length < 10_000) w.gaveUpVideoIds.push(videoIdOf(message));
      return;
    }
    const ceiling = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (attempt - 1));
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.timers.after(delay, () => this.enqueue(() => this.attempt(message, attempt + 1)));
  }

  /** The response status and its `Retry-After`, or why there was no response. */
  private async post(
    message: OutgoingWebhook,
  ): Promise<{ outcome: number | 'network' | 'timeout'; retryAfter: string | null }> {
    const now = new Date();
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'floodgate-provider-sim',
      'webhook-id': message.id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': this.signer.sign(message.id, now, message.body),
    };
    const timeout = AbortSignal.timeout(this.policy.timeoutMs);
    const started = performance.now();
    try {
      const res = await fetch(message.url, {
        method: 'POST',
        headers,
        body: message.body,
        signal: AbortSignal.any([this.aborter.signal, timeout]),
      });
      const elapsed = performance.now() - started;
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) this.stats.ackLatency.record(elapsed);
      return { outcome: res.status, retryAfter: res.headers.get('retry-after') };
    } catch {
      return { outcome: timeout.aborted ? 'timeout' : 'network', retryAfter: null };
    }
  }
}

/** The job a webhook is about: the `videoId` Floodgate put on the URL, else the prediction id. */
function videoIdOf(message: OutgoingWebhook): string {
  const fromUrl = new URL(message.url).searchParams.get('videoId');
  if (fromUrl) return fromUrl;
  try {
    return String((JSON.parse(message.body) as { id?: unknown }).id ?? '');
  } catch {
    return '';
  }
}
