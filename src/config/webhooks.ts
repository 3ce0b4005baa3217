import { DEV_DEFAULTS } from '../dev-defaults.js';
import { parseUrlTokenKeys, type UrlTokenKey } from '../api/webhooks/webhook-url-token.js';
import { ConfigError } from './config-error.js';
import { bool, duration, list, positiveInt, type Parsed } from './setting-types.js';

/** Webhook intake: body limits, signatures, admission control, per-video URLs. */
export const webhookSettings = {
  WEBHOOK_BODY_LIMIT_BYTES: positiveInt.default(256 * 1024).meta({ description: 'larger bodies get `413`' }),
  WEBHOOK_TOLERANCE: duration
    .default(5 * 60_000)
    .meta({ description: 'accepted clock skew of `webhook-timestamp`, both ways' }),
  WEBHOOK_ACK_DEADLINE: duration
    .default(5_000)
    .meta({ description: 'longest wait for Temporal before answering `503`' }),
  // Admission control of webhook intake: concurrency limit following ack latency (AIMD).
  WEBHOOK_ADMISSION: bool.default(false).meta({
    description:
      'Admission control on `POST /webhooks/*`: above an adaptive concurrency limit a webhook is answered 503 with `Retry-After: 1`; other routes are never limited',
  }),
  WEBHOOK_ADMISSION_TARGET: duration.default(50).meta({
    description:
      'Ack latency the limit steers to: faster answers grow it (+1/limit), slower ones or 5xx cut it by 10 % (at most once per target interval)',
  }),
  WEBHOOK_ADMISSION_MIN: positiveInt.default(2).meta({
    description:
      'Lower bound of that limit (metrics: `floodgate_webhook_admission_limit`, `_in_flight`, `_rejected_total`)',
  }),
  WEBHOOK_ADMISSION_MAX: positiveInt.default(256).meta({ description: 'Upper bound of that limit' }),
  WEBHOOK_ADMISSION_INITIAL: positiveInt.default(16).meta({ description: 'Start value of that limit' }),
  REPLICATE_WEBHOOK_SECRETS: list.default([DEV_DEFAULTS.replicateSecret]).meta({
    description: 'comma-separated `whsec_…` secrets for the `replicate` source',
    shown: 'dev secret',
  }),
  GENERIC_WEBHOOK_SECRETS: list
    .default([DEV_DEFAULTS.genericSecret])
    .meta({ description: 'comma-separated HMAC secrets for the `generic` source', shown: 'dev secret' }),
  GENERIC_WEBHOOK_LEGACY_UNTIMED: bool.default(false).meta({
    description:
      'legacy: also accept the original body-only `X-Signature` from a sender that sends no `X-Signature-Timestamp`; such a signature has no time in it, so a captured delivery replays forever. Only while a sender cannot sign timestamps yet',
  }),
  // Per-video webhook URLs and the size of a video job's run (docs/api.md#webhook-urls).
  WEBHOOK_URL_KEYS: list.default([DEV_DEFAULTS.webhookUrlKey]).meta({
    description:
      '`id:secret` keys (secret ≥ 16 characters) that sign the per-video token on replicate webhook URLs; first signs, all verify (rotation)',
    shown: 'dev key',
  }),
  VIDEO_JOB_MAX_EVENTS: positiveInt.default(500).meta({
    description:
      "provider events (distinct, duplicate or of another prediction) one run of a video job takes in before it continues as new with its state; bounds each run's history",
  }),
};

export type WebhooksEnv = Parsed<typeof webhookSettings>;

export function parseWebhookUrlKeys(e: WebhooksEnv): UrlTokenKey[] {
  try {
    return parseUrlTokenKeys(e.WEBHOOK_URL_KEYS);
  } catch (err) {
    throw new ConfigError(`invalid configuration:\n  WEBHOOK_URL_KEYS: ${(err as Error).message}`);
  }
}

export function webhooksSection(e: WebhooksEnv, urlTokenKeys: UrlTokenKey[]) {
  return {
    bodyLimitBytes: e.WEBHOOK_BODY_LIMIT_BYTES,
    toleranceMs: e.WEBHOOK_TOLERANCE,
    ackDeadlineMs: e.WEBHOOK_ACK_DEADLINE,
    admission: {
      enabled: e.WEBHOOK_ADMISSION,
      targetMs: e.WEBHOOK_ADMISSION_TARGET,
      min: e.WEBHOOK_ADMISSION_MIN,
      max: e.WEBHOOK_ADMISSION_MAX,
      initial: e.WEBHOOK_ADMISSION_INITIAL,
    },
    replicateSecrets: e.REPLICATE_WEBHOOK_SECRETS,
    genericSecrets: e.GENERIC_WEBHOOK_SECRETS,
    genericLegacyUntimed: e.GENERIC_WEBHOOK_LEGACY_UNTIMED,
    urlTokenKeys,
    videoJobMaxEvents: e.VIDEO_JOB_MAX_EVENTS,
  };
}
