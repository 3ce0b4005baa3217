import { z } from 'zod';
import { DEV_DEFAULTS } from '../dev-defaults.js';
import { parseEncryptionKeys, type EncryptionKey } from '../temporal/encryption-codec.js';
import type { ApiEnv } from './api.js';
import { ConfigError } from './config-error.js';
import type { RuntimeEnv } from './runtime.js';
import { bool, list, type Parsed } from './setting-types.js';
import type { TemporalEnv } from './temporal.js';

/** Payload encryption and who may call the codec endpoint. */
export const privacySettings = {
  /** id:base64key pairs for payload encryption, first one active; "off" disables encryption. */
  PAYLOAD_ENCRYPTION_KEYS: z.string().default(DEV_DEFAULTS.payloadKey).meta({
    description: '`id:base64(32 bytes)` list, first encrypts, all decrypt; `off` disables',
    shown: 'dev key',
  }),
  /** Browser origins of Temporal Web UIs allowed to call the codec endpoint. */
  CODEC_CORS_ORIGINS: list
    .optional()
    .meta({ description: 'browser origins allowed to call `/codec`', shown: 'the local Web UI' }),
  // Payload privacy (docs/payload-privacy.md): /codec has its own credential, never an API key.
  CODEC_AUTH_TOKENS: list.optional().meta({
    description:
      'comma-separated Bearer tokens for `/codec` (several at once for rotation); must differ from `API_KEYS`; unset: only loopback callers under `CODEC_TRUST_LOOPBACK` get in',
    shown: 'none',
  }),
  CODEC_TRUST_LOOPBACK: bool.optional().meta({
    description:
      'development only (refused with `NODE_ENV=production`): `/codec` lets loopback callers in without a token when their `Host` is in `CODEC_LOOPBACK_HOSTS`, so the local Web UI, which cannot send one, decodes; `npm start` and `start:cluster` turn it on outside production',
    shown: '`false` (the local stacks: `true` outside production)',
  }),
  CODEC_LOOPBACK_HOSTS: list.optional().meta({
    description:
      "`Host` values a loopback caller of `/codec` may use under `CODEC_TRUST_LOOPBACK` (any other, such as a DNS-rebinding page's name, is refused)",
    shown: '`127.0.0.1:$PORT,localhost:$PORT,[::1]:$PORT`',
  }),
  PAYLOAD_REQUIRE_ENCRYPTION: bool.optional().meta({
    description:
      'workers and the API refuse to decode a payload that is not encrypted; always on with `NODE_ENV=production` (setting `false` there is refused); off elsewhere so older plaintext runs still read',
    shown: '`true` in production, else `false`',
  }),
};

export type PrivacyEnv = Parsed<typeof privacySettings>;
type PrivacyCheckEnv = PrivacyEnv & Pick<RuntimeEnv, 'NODE_ENV'> & Pick<ApiEnv, 'API_KEYS'>;

export function parsePayloadKeys(e: PrivacyEnv): EncryptionKey[] {
  let encryptionKeys: EncryptionKey[] = [];
  if (e.PAYLOAD_ENCRYPTION_KEYS !== 'off') {
    try {
      encryptionKeys = parseEncryptionKeys(list.parse(e.PAYLOAD_ENCRYPTION_KEYS));
    } catch (err) {
      throw new ConfigError(`invalid configuration:\n  PAYLOAD_ENCRYPTION_KEYS: ${(err as Error).message}`);
    }
  }
  return encryptionKeys;
}

export function payloadEncryptionSection(
  e: PrivacyEnv &
    Pick<RuntimeEnv, 'NODE_ENV'> &
    Pick<ApiEnv, 'PORT'> &
    Pick<TemporalEnv, 'TEMPORAL_UI_PORT' | 'URGENT_TEMPORAL_UI_PORT'>,
  encryptionKeys: EncryptionKey[],
) {
  return {
    keys: encryptionKeys,
    codecCorsOrigins: e.CODEC_CORS_ORIGINS ?? [
      `http://127.0.0.1:${e.TEMPORAL_UI_PORT}`,
      `http://localhost:${e.TEMPORAL_UI_PORT}`,
      `http://127.0.0.1:${e.URGENT_TEMPORAL_UI_PORT}`,
      `http://localhost:${e.URGENT_TEMPORAL_UI_PORT}`,
    ],
    codecTokens: e.CODEC_AUTH_TOKENS ?? [],
    codecTrustLoopback: e.CODEC_TRUST_LOOPBACK ?? false,
    /** What `npm start` and `start:cluster` hand their API: their local Web UI cannot send a token. */
    localStackTrustsLoopback: e.CODEC_TRUST_LOOPBACK ?? e.NODE_ENV !== 'production',
    codecLoopbackHosts: e.CODEC_LOOPBACK_HOSTS ?? [
      `127.0.0.1:${e.PORT}`,
      `localhost:${e.PORT}`,
      `[::1]:${e.PORT}`,
    ],
    requireEncrypted: e.PAYLOAD_REQUIRE_ENCRYPTION ?? e.NODE_ENV === 'production',
  };
}

/** Production never trusts loopback nor reads plaintext payloads; a codec token is never an API key. */
export function payloadPrivacyProblem(e: PrivacyCheckEnv): string | undefined {
  if (e.NODE_ENV === 'production' && e.CODEC_TRUST_LOOPBACK)
    return 'CODEC_TRUST_LOOPBACK: development only, refused with NODE_ENV=production (set CODEC_AUTH_TOKENS)';
  if (e.NODE_ENV === 'production' && e.PAYLOAD_REQUIRE_ENCRYPTION === false)
    return 'PAYLOAD_REQUIRE_ENCRYPTION: cannot be false with NODE_ENV=production';
  const requireEncrypted = e.PAYLOAD_REQUIRE_ENCRYPTION ?? e.NODE_ENV === 'production';
  if (requireEncrypted && e.PAYLOAD_ENCRYPTION_KEYS === 'off')
    return 'PAYLOAD_ENCRYPTION_KEYS: cannot be off while encryption is required (NODE_ENV=production or PAYLOAD_REQUIRE_ENCRYPTION)';
  if (e.CODEC_AUTH_TOKENS?.some((t) => e.API_KEYS.includes(t)))
    return 'CODEC_AUTH_TOKENS: a codec token must not also be an API key';
  return undefined;
}
