import { LatencyRecorder, type LatencySummary } from './latency-recorder.js';

/** Everything the simulator counts, as reported by `stats()` and `GET /_sim/stats`. */
export interface ProviderStats {
  predictions: {
    created: number;
    adopted: number;
    succeeded: number;
    failed: number;
    canceled: number;
    active: number;
  };
  webhooks: {
    /** State changes that should produce a webhook (after the events filter). */
    events: number;
    /** Events chaos decided never to send. */
    dropped: number;
    /** Extra copies sent by chaos (same webhook-id). */
    duplicated: number;
    /** HTTP attempts made, first tries and redeliveries together. */
    attempts: number;
    /** Attempts answered with a 2xx. */
    acked: number;
    /** 2xx answers by status code (e.g. 202 accepted, 200 duplicate or late). */
    ackedByStatus: Record<string, number>;
    /** Attempts without a 2xx, by status code (see `answerKey`), or `network` / `timeout`. */
    failedByStatus: Record<string, number>;
    /** Attempts that were redeliveries after a failure. */
    retries: number;
    /** Deliveries abandoned after the last attempt. */
    gaveUp: number;
    /** Video ids of those deliveries (the webhook URL's `videoId`, else the prediction id), at most 10,000. */
    gaveUpVideoIds: string[];
    /** Deliveries refused with a 4xx other than 408/429 (not retried). */
    rejected: number;
    /** Deliveries waiting for a free slot, and in progress. */
    queued: number;
    inFlight: number;
  };
  routes: {
    submits: number;
    unauthorized: number;
    statusRequests: number;
    statusErrors: number;
    fileRequests: number;
    rangeRequests: number;
    fileErrors: number;
    fileTruncated: number;
    /** The latest file answers (at most 100): whole file (200) or from which byte (206). */
    fileServed: Array<{ predictionId: string; status: 200 | 206; start: number }>;
  };
  /** Time from sending a webhook to its 2xx response. */
  ackLatencyMs: LatencySummary;
}

type Counters = Omit<ProviderStats, 'ackLatencyMs' | 'predictions' | 'webhooks'> & {
  predictions: Omit<ProviderStats['predictions'], 'active'>;
  webhooks: Omit<ProviderStats['webhooks'], 'queued' | 'inFlight'>;
};

function zero(): Counters {
  return {
    predictions: { created: 0, adopted: 0, succeeded: 0, failed: 0, canceled: 0 },
    webhooks: {
      events: 0,
      dropped: 0,
      duplicated: 0,
      attempts: 0,
      acked: 0,
      ackedByStatus: {},
      failedByStatus: {},
      retries: 0,
      gaveUp: 0,
      gaveUpVideoIds: [],
      rejected: 0,
    },
    routes: {
      submits: 0,
      unauthorized: 0,
      statusRequests: 0,
      statusErrors: 0,
      fileRequests: 0,
      rangeRequests: 0,
      fileErrors: 0,
      fileTruncated: 0,
      fileServed: [],
    },
  };
}

/** Mutable counters plus the ack-latency recorder; `snapshot` adds the live gauges. */
export class StatsBook {
  counters = zero();
  readonly ackLatency = new LatencyRecorder();

  bump(map: Record<string, number>, key: string | number): void {
    map[key] = (map[key] ?? 0) + 1;
  }

  reset(): void {
    this.counters = zero();
    this.ackLatency.reset();
  }

  snapshot(gauges: { active: number; queued: number; inFlight: number }): ProviderStats {
    const c = structuredClone(this.counters);
    return {
      predictions: { ...c.predictions, active: gauges.active },
      webhooks: { ...c.webhooks, queued: gauges.queued, inFlight: gauges.inFlight },
      routes: c.routes,
      ackLatencyMs: this.ackLatency.summary(),
    };
  }
}
