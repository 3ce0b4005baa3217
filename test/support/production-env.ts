import { randomBytes } from 'node:crypto';

/** A random secret of 32 bytes, as the production checklist asks for. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * A complete production environment that passes every production check: fresh random secrets,
 * real-looking hosts (`.internal` is reserved for private networks, not an example domain).
 * Tests override one setting at a time to see it refused.
 */
export function productionEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    HOST: '0.0.0.0',
    API_KEYS: randomSecret(),
    REPLICATE_WEBHOOK_SECRETS: `whsec_${randomBytes(32).toString('base64')}`,
    GENERIC_WEBHOOK_SECRETS: randomSecret(),
    PASSWORD_RESET_ID_KEY: randomSecret(),
    PAYLOAD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    WEBHOOK_URL_KEYS: `u1:${randomSecret()}`,
    PUBLIC_BASE_URL: 'https://floodgate.acme.internal',
    PASSWORD_RESET_URL_BASE: 'https://app.acme.internal/reset',
    PROVIDER_BASE_URL: 'https://api.replicate.com',
    PROVIDER_API_TOKEN: `r8_${randomSecret()}`,
    DOWNLOAD_ALLOWED_HOSTS: 'replicate.delivery',
    SMTP_URL: `smtp://mailer:${randomSecret()}@smtp.acme.internal:587`,
    MAIL_FROM: 'Floodgate <no-reply@acme.internal>',
    ...overrides,
  };
}
