import type { Config } from '../../config.js';
import { genericAdapter } from './generic-adapter.js';
import { replicateAdapter } from './replicate-adapter.js';
import type { WebhookAdapter } from './webhook-adapter.js';

/** The configured webhook sources, by the `:source` segment of `POST /webhooks/:source`. */
export function createWebhookAdapters(config: Config): ReadonlyMap<string, WebhookAdapter> {
  const adapters = [
    replicateAdapter({
      secrets: config.webhooks.replicateSecrets,
      toleranceMs: config.webhooks.toleranceMs,
      urlTokenKeys: config.webhooks.urlTokenKeys,
    }),
    genericAdapter({
      secrets: config.webhooks.genericSecrets,
      toleranceMs: config.webhooks.toleranceMs,
      legacyUntimed: config.webhooks.genericLegacyUntimed,
    }),
  ];
  return new Map(adapters.map((a) => [a.source, a]));
}
