/**
 * Development defaults: `npm start` prints the secrets among them; NODE_ENV=production refuses
 * every one of them (src/settings-safety/unsafe-settings.ts).
 */
export const DEV_DEFAULTS = {
  replicateSecret: 'whsec_Zmxvb2RnYXRlLWRldi1yZXBsaWNhdGUtc2VjcmV0',
  genericSecret: 'floodgate-dev-generic-secret',
  apiKey: 'fg_dev_key',
  passwordResetIdKey: 'floodgate-dev-reset-id-key',
  /** id:base64 of 32 bytes. */
  payloadKey: 'dev1:Zmxvb2RnYXRlLWRldi1wYXlsb2FkLWtleS0zMmJ5dGU=',
  /** id:secret that signs the per-video token on webhook URLs. */
  webhookUrlKey: 'dev1:floodgate-dev-webhook-url-key',
  /** The simulated provider of the local stack (dev/provider). */
  providerToken: 'r8_dev_token',
  providerBaseUrl: 'http://127.0.0.1:4010',
} as const;
