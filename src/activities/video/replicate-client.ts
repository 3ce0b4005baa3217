import { ApplicationFailure } from '@temporalio/common';
import { httpFailure } from './http-failure.js';

/** The parts of a Replicate prediction object Floodgate reads. */
export interface Prediction {
  id: string;
  status: string;
  output?: unknown;
  error?: unknown;
  urls?: { get?: string };
  created_at?: string;
}

export interface CreatePredictionRequest {
  version: string;
  input: Record<string, unknown>;
  webhook: string;
  webhook_events_filter: Array<'start' | 'output' | 'logs' | 'completed'>;
}

export interface ReplicateClientOptions {
  baseUrl: string;
  apiToken: string;
  /** Per-request bound; the activity's own timeout is the outer one. */
  requestTimeoutMs?: number;
}

/** A minimal client for Replicate's prediction API (`/v1/predictions`). */
export class ReplicateClient {
  private readonly baseUrl: string;

  constructor(private readonly opts: ReplicateClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
  }

  createPrediction(body: CreatePredictionRequest, signal?: AbortSignal): Promise<Prediction> {
    return this.request('POST', '/v1/predictions', body, signal);
  }

  getPrediction(id: string, signal?: AbortSignal): Promise<Prediction> {
    return this.request('GET', `/v1/predictions/${encodeURIComponent(id)}`, undefined, signal);
  }

  private async request(
    method: string,
    path: string,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<Prediction> {
    const timeout = AbortSignal.timeout(this.opts.requestTimeoutMs ?? 15_000);
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.opts.apiToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const text = await res.text();
    if (!res.ok) throw httpFailure(`provider ${method} ${path}`, res.status, summarize(text));
    const parsed = safeJson(text);
    if (!isPrediction(parsed)) {
      throw ApplicationFailure.nonRetryable(
        `provider ${method} ${path}: not a prediction object`,
        'BadProviderResponse',
      );
    }
    return parsed;
  }
}

/** The first output URL: Replicate gives a string or an array of them. */
export function outputUrl(output: unknown): string | undefined {
  if (typeof output === 'string') return output;
  if (Array.isArray(output) && typeof output[0] === 'string') return output[0];
  return undefined;
}

function isPrediction(value: unknown): value is Prediction {
  const p = value as Prediction | null;
  return typeof p === 'object' && p !== null && typeof p.id === 'string' && typeof p.status === 'string';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A short, single-line hint from an error body (the provider's `detail`), never the whole body. */
function summarize(text: string): string {
  const detail = (safeJson(text) as { detail?: unknown } | undefined)?.detail;
  const hint = typeof detail === 'string' ? detail : text;
  return hint.replace(/\s+/g, ' ').slice(0, 200);
}
