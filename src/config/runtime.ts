import { z } from 'zod';
import type { Parsed } from './setting-types.js';

/** How the process runs: its mode and its log level. */
export const runtimeSettings = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development').meta({
    description:
      '`production` is the only mode that may listen beyond loopback, and it refuses every development default, placeholder, short secret, link to this machine and clear-text mail (one line each; see [deploying](deploying.md#production-checklist))',
  }),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .meta({ description: 'pino level' }),
};

export type RuntimeEnv = Parsed<typeof runtimeSettings>;
