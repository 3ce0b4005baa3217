import { randomBytes } from 'node:crypto';

export type PredictionStatus = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled';

/** Replicate's webhook event types, as accepted in `webhook_events_filter`. */
export type WebhookEventType = 'start' | 'output' | 'logs' | 'completed';

export interface Prediction {
  id: string;
  version: string;
  input: unknown;
  status: PredictionStatus;
  output: string | null;
  error: string | null;
  logs: string;
  createdAt: Date;
  startedAt?: Date;
  completedAt?: Date;
  webhook?: string;
  eventsFilter?: WebhookEventType[];
  /** Nobody submitted it through the API (storm adopt mode). */
  adopted: boolean;
  /** Events emitted so far; numbers the webhook ids. */
  eventCount: number;
  /** At least one event has been handed to the sender; drops never silence a whole job. */
  announced: boolean;
  /** Events held back until the end when chaos reorders. */
  held: Array<{ id: string; body: string }>;
  /** SHA-256 of the output file, worked out on its first download; forgotten with the prediction. */
  checksum?: string;
}

export const TERMINAL: ReadonlySet<PredictionStatus> = new Set(['succeeded', 'failed', 'canceled']);

/** Replicate-style ids: 26 lowercase base32 characters, safe as file names. */
export function newPredictionId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return [...randomBytes(26)].map((b) => alphabet[b % 32]).join('');
}

/** The prediction object as the API and webhooks show it. */
export function predictionJson(p: Prediction, baseUrl: string) {
  const get = `${baseUrl}/v1/predictions/${p.id}`;
  return {
    id: p.id,
    model: 'floodgate/dev-video-model',
    version: p.version,
    input: p.input,
    status: p.status,
    output: p.output,
    error: p.error,
    logs: p.logs,
    created_at: p.createdAt.toISOString(),
    started_at: p.startedAt?.toISOString() ?? null,
    completed_at: p.completedAt?.toISOString() ?? null,
    urls: { get, cancel: `${get}/cancel` },
    metrics:
      p.startedAt && p.completedAt
        ? { predict_time: (p.completedAt.getTime() - p.startedAt.getTime()) / 1000 }
        : {},
  };
}

/** Which filter entry lets a webhook for this status through (Replicate's mapping). */
export function eventTypesFor(status: PredictionStatus): WebhookEventType[] {
  if (status === 'starting') return ['start'];
  if (status === 'processing') return ['output', 'logs'];
  return ['completed'];
}

export function filterAllows(p: Prediction): boolean {
  if (!p.eventsFilter || p.eventsFilter.length === 0) return true;
  return eventTypesFor(p.status).some((t) => p.eventsFilter!.includes(t));
}
