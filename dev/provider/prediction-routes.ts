import type { IncomingMessage, ServerResponse } from 'node:http';
import { roll, type ChaosKnobs } from './chaos.js';
import { HttpError, readJson, sendJson } from './http-io.js';
import type { WebhookEventType } from './prediction.js';
import type { NewPrediction, PredictionEngine } from './prediction-engine.js';
import type { StatsBook } from './provider-stats.js';

const EVENT_TYPES: ReadonlySet<string> = new Set(['start', 'output', 'logs', 'completed']);

export interface PredictionRouteDeps {
  apiToken: string;
  engine: PredictionEngine;
  stats: StatsBook;
  chaos: () => ChaosKnobs;
}

/** The Replicate prediction API under `/v1/predictions`; returns false when the path is not its own. */
export async function handlePredictionRoute(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  deps: PredictionRouteDeps,
): Promise<boolean> {
  if (!path.startsWith('/v1/predictions')) return false;
  const routes = deps.stats.counters.routes;
  if (req.headers.authorization !== `Bearer ${deps.apiToken}`) {
    routes.unauthorized += 1;
    sendJson(res, 401, { title: 'Unauthenticated', detail: 'You did not pass a valid authentication token' });
    return true;
  }
  if (path === '/v1/predictions' && req.method === 'POST') {
    const prediction = deps.engine.create(parseSubmission(await readJson(req)));
    routes.submits += 1;
    sendJson(res, 201, deps.engine.json(prediction));
    return true;
  }
  const m = /^\/v1\/predictions\/([a-z0-9]+)(\/cancel)?$/.exec(path);
  if (!m) throw new HttpError(404, 'not found');
  const prediction = deps.engine.get(m[1]!);
  if (m[2] && req.method === 'POST') {
    if (!prediction) throw new HttpError(404, 'prediction not found');
    deps.engine.cancel(prediction);
    sendJson(res, 200, deps.engine.json(prediction));
    return true;
  }
  if (m[2] || req.method !== 'GET') throw new HttpError(405, 'method not allowed');
  routes.statusRequests += 1;
  if (roll(deps.chaos().statusErrorPercent)) {
    routes.statusErrors += 1;
    throw new HttpError(500, 'simulated internal error');
  }
  if (!prediction) throw new HttpError(404, 'prediction not found');
  sendJson(res, 200, deps.engine.json(prediction));
  return true;
}

function parseSubmission(body: Record<string, unknown>): NewPrediction {
  const { version, input, webhook, webhook_events_filter: filter } = body;
  if (typeof version !== 'string' || version === '') throw new HttpError(422, 'version: required string');
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new HttpError(422, 'input: required object');
  }
  if (webhook !== undefined && !isHttpUrl(webhook))
    throw new HttpError(422, 'webhook: must be an http(s) URL');
  if (
    filter !== undefined &&
    (!Array.isArray(filter) || !filter.every((f) => EVENT_TYPES.has(f as string)))
  ) {
    throw new HttpError(422, 'webhook_events_filter: must list start, output, logs or completed');
  }
  return {
    version,
    input,
    webhook: webhook as string | undefined,
    eventsFilter: filter as WebhookEventType[],
  };
}

export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
