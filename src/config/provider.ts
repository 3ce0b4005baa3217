import { z } from 'zod';
import { DEV_DEFAULTS } from '../dev-defaults.js';
import type { RuntimeEnv } from './runtime.js';
import { addressRules, duration, list, positiveInt, type Parsed } from './setting-types.js';
import type { StackEnv } from './stack.js';
import { QUICK_DOWNLOAD_CEILING_BYTES } from '../shared/video-job.js';

/** The ML provider and the downloads of its files. */
export const providerSettings = {
  // ML provider (Replicate-style API)
  PROVIDER_BASE_URL: z
    .url()
    .default(DEV_DEFAULTS.providerBaseUrl)
    .meta({ description: 'Replicate-style API base URL' }),
  PROVIDER_API_TOKEN: z
    .string()
    .default(DEV_DEFAULTS.providerToken)
    .meta({ description: 'provider API token', shown: 'dev token' }),
  PROVIDER_MODEL_VERSION: z
    .string()
    .default('floodgate/dev-video-model')
    .meta({ description: 'model version sent on submit' }),
  RECONCILE_AFTER: duration
    .default(10 * 60_000)
    .meta({ description: 'without a terminal webhook by then, a job polls the provider' }),
  DOWNLOAD_ALLOWED_HOSTS: list
    .default(['127.0.0.1', 'localhost'])
    .meta({ description: 'hosts downloads may come from' }),
  // Downloads resolve the host and connect only to a checked address (src/activities/video/address-rules.ts).
  DOWNLOAD_ALLOWED_ADDRESSES: list.transform(addressRules).optional().meta({
    description:
      'addresses or CIDR blocks downloads may connect to although private, loopback, link-local, unique-local, IPv4-mapped, unspecified or multicast; `none` for none. Production refuses loopback here',
    shown: "`none` in production; `127.0.0.1,::1` otherwise (the local stack's simulated provider)",
  }),
  DOWNLOAD_ALLOWED_PORTS: list
    .transform((ports) => ports.map(Number))
    .pipe(z.array(z.number().int().min(1).max(65535)))
    .optional()
    .meta({
      description: 'ports downloads may connect to, redirects included',
      shown: '`443` + `PROVIDER_SIM_PORT` outside production',
    }),
  DOWNLOAD_MAX_BYTES: positiveInt.default(512 * 1024 * 1024).meta({ description: 'largest file downloaded' }),
  DOWNLOAD_IN_TASK_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(QUICK_DOWNLOAD_CEILING_BYTES, "must be at most 4 MiB (4194304), below S3's smallest part")
    .default(QUICK_DOWNLOAD_CEILING_BYTES)
    .meta({
      description:
        "videos up to this size are downloaded inside the job's workflow task (a local activity: no activity task, not paced by `VIDEO_QUEUE_ACTIVITIES_PER_SECOND`); `0`: every download is an activity task",
    }),
};

export type ProviderEnv = Parsed<typeof providerSettings>;

export function providerSection(
  e: ProviderEnv & Pick<RuntimeEnv, 'NODE_ENV'> & Pick<StackEnv, 'PROVIDER_SIM_PORT'>,
) {
  return {
    baseUrl: e.PROVIDER_BASE_URL,
    apiToken: e.PROVIDER_API_TOKEN,
    modelVersion: e.PROVIDER_MODEL_VERSION,
    reconcileAfterMs: e.RECONCILE_AFTER,
    downloadAllowedHosts: e.DOWNLOAD_ALLOWED_HOSTS,
    downloadAllowedAddresses:
      e.DOWNLOAD_ALLOWED_ADDRESSES ?? (e.NODE_ENV === 'production' ? [] : ['127.0.0.1', '::1']),
    downloadAllowedPorts:
      e.DOWNLOAD_ALLOWED_PORTS ?? (e.NODE_ENV === 'production' ? [443] : [443, e.PROVIDER_SIM_PORT]),
    downloadMaxBytes: e.DOWNLOAD_MAX_BYTES,
    downloadInTaskMaxBytes: e.DOWNLOAD_IN_TASK_MAX_BYTES,
  };
}
