import { z } from 'zod';
import { DEV_DEFAULTS } from '../dev-defaults.js';
import type { LanesEnv } from './lanes.js';
import { list, port, type Parsed } from './setting-types.js';

/** The HTTP API's address and keys. */
export const apiSettings = {
  // HTTP API
  PORT: port.default(3000).meta({ description: 'API port' }),
  HOST: z.string().default('127.0.0.1').meta({
    description:
      'API bind address (`0.0.0.0` in containers); beyond loopback only with `NODE_ENV=production`',
  }),
  API_KEYS: list
    .default([DEV_DEFAULTS.apiKey])
    .meta({ description: 'comma-separated API keys (several at once for rotation)' }),
};

/** The API's public URL and what `/readyz` waits for (listed after the webhook settings). */
export const apiUrlSettings = {
  /** Where the provider should send webhooks for jobs Floodgate submits. */
  PUBLIC_BASE_URL: z.url().optional().meta({
    description: 'base of the webhook URL Floodgate gives the provider',
    shown: '`http://127.0.0.1:$PORT`',
  }),
  /** Task queues that need a polling worker before /readyz says ready; "none" checks none. */
  READY_TASK_QUEUES: list.optional().meta({
    description:
      "task queues that need a live poller before `/readyz` (and `npm start`'s banner) say ready; `none` skips the check",
    shown: "the mode's lanes (`urgent,video`, or `shared`)",
  }),
};

export type ApiEnv = Parsed<typeof apiSettings & typeof apiUrlSettings>;

export function apiSection(e: ApiEnv & Pick<LanesEnv, 'LANE_MODE'>) {
  return {
    port: e.PORT,
    host: e.HOST,
    apiKeys: e.API_KEYS,
    publicBaseUrl: e.PUBLIC_BASE_URL ?? `http://127.0.0.1:${e.PORT}`,
    readyTaskQueues: readyTaskQueues(e.READY_TASK_QUEUES, e.LANE_MODE),
  };
}

/** By default every lane of the mode must have a worker: `npm start` runs one per lane. */
function readyTaskQueues(listed: string[] | undefined, mode: 'dedicated' | 'shared'): string[] {
  if (listed?.length === 1 && listed[0] === 'none') return [];
  return listed ?? (mode === 'shared' ? ['shared'] : ['urgent', 'video']);
}
