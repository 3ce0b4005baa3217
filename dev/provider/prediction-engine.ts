import { randomBetween, roll, type ChaosKnobs } from './chaos.js';
import {
  filterAllows,
  newPredictionId,
  predictionJson,
  TERMINAL,
  type Prediction,
  type PredictionStatus,
  type WebhookEventType,
} from './prediction.js';
import type { StatsBook } from './provider-stats.js';
import type { TimerSet } from './timer-set.js';
import type { OutgoingWebhook, WebhookSender } from './webhook-sender.js';

export interface PredictionTiming {
  /** Time from creation to `processing`, [min, max] ms. */
  startingMs: [number, number];
  /** Time from `processing` to the terminal state, [min, max] ms. */
  processingMs: [number, number];
}

export const DEFAULT_TIMING: PredictionTiming = { startingMs: [100, 400], processingMs: [500, 2_000] };

export interface NewPrediction {
  version: string;
  input: unknown;
  webhook?: string;
  eventsFilter?: WebhookEventType[];
  adopted?: boolean;
}

/** Terminal predictions beyond this many are forgotten, oldest first, so memory stays bounded. */
const MAX_KEPT = 200_000;

/**
 * Owns the predictions: moves each one starting → processing → succeeded/failed on timers and
 * turns every state change into a webhook event, with the chaos knobs applied on the way out.
 */
export class PredictionEngine {
  private readonly predictions = new Map<string, Prediction>();
  private activeCount = 0;

  constructor(
    private readonly deps: {
      baseUrl: () => string;
      chaos: () => ChaosKnobs;
      timing: PredictionTiming;
      stats: StatsBook;
      timers: TimerSet;
      sender: WebhookSender;
    },
  ) {}

  get active(): number {
    return this.activeCount;
  }

  get(id: string): Prediction | undefined {
    return this.predictions.get(id);
  }

  json(p: Prediction) {
    return predictionJson(p, this.deps.baseUrl());
  }

  create(spec: NewPrediction): Prediction {
    const { stats, timers, timing } = this.deps;
    const p: Prediction = {
      id: newPredictionId(),
      version: spec.version,
      input: spec.input,
      status: 'starting',
      output: null,
      error: null,
      logs: '',
      createdAt: new Date(),
      webhook: spec.webhook,
      eventsFilter: spec.eventsFilter,
      adopted: spec.adopted ?? false,
      eventCount: 0,
      announced: false,
      held: [],
    };
    this.predictions.set(p.id, p);
    this.activeCount += 1;
    this.prune();
    stats.counters.predictions.created += 1;
    if (p.adopted) stats.counters.predictions.adopted += 1;
    this.emit(p);
    timers.after(randomBetween(timing.startingMs), () => {
      if (TERMINAL.has(p.status)) return;
      p.startedAt = new Date();
      p.logs = 'generating frames\n';
      this.transition(p, 'processing');
      timers.after(randomBetween(timing.processingMs), () => this.finish(p));
    });
    return p;
  }

  cancel(p: Prediction): void {
    if (TERMINAL.has(p.status)) return;
    p.completedAt = new Date();
    this.transition(p, 'canceled');
  }

  private finish(p: Prediction): void {
    if (TERMINAL.has(p.status)) return;
    p.completedAt = new Date();
    if (roll(this.deps.chaos().failurePercent)) {
      p.error = 'simulated model failure: CUDA out of memory';
      this.transition(p, 'failed');
    } else {
      p.output = `${this.deps.baseUrl()}/files/${p.id}.mp4`;
      p.logs += 'encoded video\n';
      this.transition(p, 'succeeded');
    }
  }

  private transition(p: Prediction, status: PredictionStatus): void {
    p.status = status;
    if (TERMINAL.has(status)) {
      this.activeCount -= 1;
      const counters = this.deps.stats.counters.predictions;
      if (status === 'succeeded') counters.succeeded += 1;
      else if (status === 'failed') counters.failed += 1;
      else counters.canceled += 1;
    }
    this.emit(p);
  }

  private emit(p: Prediction): void {
    if (!p.webhook || !filterAllows(p)) return;
    p.eventCount += 1;
    this.deps.stats.counters.webhooks.events += 1;
    const event = { id: `msg_${p.id}_${p.eventCount}`, body: JSON.stringify(this.json(p)) };
    if (!this.deps.chaos().reorder) {
      this.dispatch(p, event);
      return;
    }
    p.held.push(event);
    if (TERMINAL.has(p.status)) {
      const events = shuffle(p.held.splice(0));
      for (const e of events) this.dispatch(p, e);
    }
  }

  /** Applies drop, delay and duplicate chaos to one event, then hands it to the sender. */
  private dispatch(p: Prediction, event: { id: string; body: string }): void {
    const { chaos, stats, timers, sender } = this.deps;
    const knobs = chaos();
    // The first event always goes out: a job nobody ever heard of cannot be recovered by
    // polling; the scenario is about missed updates to jobs the receiver knows.
    if (p.announced && roll(knobs.dropPercent)) {
      stats.counters.webhooks.dropped += 1;
      return;
    }
    p.announced = true;
    const message: OutgoingWebhook = { url: p.webhook!, id: event.id, body: event.body };
    const delay = randomBetween(knobs.delayMs);
    timers.after(delay, () => sender.send(message));
    if (roll(knobs.duplicatePercent)) {
      stats.counters.webhooks.duplicated += 1;
      timers.after(delay + randomBetween([5, 250]), () => sender.send(message));
    }
  }

  private prune(): void {
    if (this.predictions.size <= MAX_KEPT) return;
    for (const [id, p] of this.predictions) {
      if (this.predictions.size <= MAX_KEPT) break;
      if (TERMINAL.has(p.status)) this.predictions.delete(id);
    }
  }
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
