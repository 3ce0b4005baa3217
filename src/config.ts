import { resolve } from 'node:path';
import { z } from 'zod';
import { DEV_DEFAULTS } from './dev-defaults.js';
import { unsafeSettings } from './settings-safety/unsafe-settings.js';
import { apiSection, apiSettings, apiUrlSettings } from './config/api.js';
import { autoscaleSection, autoscaleSettings, checkAutoscaleBounds } from './config/autoscaler.js';
import { clusterSection, clusterSettings } from './config/cluster.js';
import { ConfigError } from './config/config-error.js';
import {
  checkLanes,
  laneSettings,
  lanesSection,
  workerMetricsSection,
  workerMetricsSettings,
} from './config/lanes.js';
import { mailSection, mailSettings, passwordResetSection } from './config/mail.js';
import {
  parsePayloadKeys,
  payloadEncryptionSection,
  payloadPrivacyProblem,
  privacySettings,
} from './config/privacy.js';
import { providerSection, providerSettings } from './config/provider.js';
import { runtimeSettings } from './config/runtime.js';
import { stackLaneSettings, stackSection, stackSettings } from './config/stack.js';
import { checkS3Credentials, objectStoreSection, storageSettings } from './config/storage.js';
import { loadTemporalProfile, temporalSection, temporalSettings } from './config/temporal.js';
import { parseWebhookUrlKeys, webhookSettings, webhooksSection } from './config/webhooks.js';

/**
 * The one typed configuration. Every environment variable Floodgate reads is parsed here,
 * at start-up, and a bad value stops the process with a message naming the variable.
 * Nothing else reads process.env. docs/configuration.md is generated from this file
 * (`npm run docs:config`). Each area's settings and the section of the config it builds live
 * in src/config/<area>.ts; this file puts them together.
 */

export { DEV_DEFAULTS } from './dev-defaults.js';
export { ConfigError } from './config/config-error.js';

/**
 * Every setting carries its reference entry (docs/configuration.md is generated from it by
 * `npm run docs:config`): what it does, and, where the parsed default would not read as a user
 * writes it (secrets, computed values), the default as shown; durations are shown in their unit.
 * The order of the areas here is the order of the reference.
 */
export const configSchema = z.object({
  ...runtimeSettings,
  ...apiSettings,
  ...webhookSettings,
  ...apiUrlSettings,
  ...temporalSettings,
  ...privacySettings,
  ...storageSettings,
  ...laneSettings,
  ...autoscaleSettings,
  ...workerMetricsSettings,
  ...providerSettings,
  ...mailSettings,
  ...stackSettings,
  ...clusterSettings,
  ...stackLaneSettings,
});

export type Env = z.input<typeof configSchema>;
export type Config = ReturnType<typeof loadConfig>;

/**
 * LOG_LEVEL=debug or trace: start commands print the stack trace of an unexpected failure.
 * Read on its own, so it works even when the rest of the configuration is invalid.
 */
export function wantsStackTraces(env: Record<string, string | undefined> = process.env): boolean {
  return env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace';
}

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  // An empty variable means "unset", as in most shells' `VAR= command` usage.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const usingDevSecrets =
    e.REPLICATE_WEBHOOK_SECRETS.includes(DEV_DEFAULTS.replicateSecret) ||
    e.GENERIC_WEBHOOK_SECRETS.includes(DEV_DEFAULTS.genericSecret) ||
    e.API_KEYS.includes(DEV_DEFAULTS.apiKey) ||
    e.PASSWORD_RESET_ID_KEY === DEV_DEFAULTS.passwordResetIdKey ||
    e.PAYLOAD_ENCRYPTION_KEYS === DEV_DEFAULTS.payloadKey ||
    e.WEBHOOK_URL_KEYS.includes(DEV_DEFAULTS.webhookUrlKey);
  // Checks across areas, in this order, before any section is built.
  const urlTokenKeys = parseWebhookUrlKeys(e);
  const encryptionKeys = parsePayloadKeys(e);
  // Production refuses every unsafe setting, and without it the API stays on loopback.
  const unsafe = unsafeSettings(e, encryptionKeys);
  if (unsafe.length > 0) {
    const mode = e.NODE_ENV === 'production' ? ' for production' : '';
    throw new ConfigError(`invalid configuration${mode}:\n${unsafe.map((l) => `  ${l}`).join('\n')}`);
  }
  const privacyProblem = payloadPrivacyProblem(e);
  if (privacyProblem) throw new ConfigError(`invalid configuration:\n  ${privacyProblem}`);
  checkAutoscaleBounds(e);
  checkLanes(e);
  checkS3Credentials(e);
  const dataDir = resolve(e.DATA_DIR);
  const profile = loadTemporalProfile(present as Record<string, string>);
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    usingDevSecrets,
    api: apiSection(e),
    webhooks: webhooksSection(e, urlTokenKeys),
    temporal: temporalSection(e, profile),
    payloadEncryption: payloadEncryptionSection(e, encryptionKeys),
    dataDir,
    storageDir: resolve(dataDir, 'videos'),
    objectStore: objectStoreSection(e),
    lanes: lanesSection(e),
    autoscale: autoscaleSection(e),
    workerMetrics: workerMetricsSection(e),
    workerParentPid: e.WORKER_PARENT_PID,
    provider: providerSection(e),
    mail: mailSection(e),
    passwordReset: passwordResetSection(e),
    stack: stackSection(e),
    cluster: clusterSection(e, dataDir),
  };
}
