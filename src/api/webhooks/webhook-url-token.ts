import { createHmac, timingSafeEqual } from 'node:crypto';

/** One server key for webhook URL tokens; the id travels in the token so keys can rotate. */
export interface UrlTokenKey {
  id: string;
  secret: string;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
/** `<key id>.<base64url HMAC-SHA256>`: what a token must look like before any HMAC runs. */
const TOKEN = /^([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]{43})$/;

/** `id:secret` entries, first signs, all verify (WEBHOOK_URL_KEYS). */
export function parseUrlTokenKeys(spec: readonly string[]): UrlTokenKey[] {
  const keys = spec.map((entry) => {
    const colon = entry.indexOf(':');
    const id = entry.slice(0, colon);
    const secret = entry.slice(colon + 1);
    if (colon <= 0 || !KEY_ID.test(id)) throw new Error(`"${entry.slice(0, 8)}…" is not id:secret`);
    if (secret.length < 16) throw new Error(`key "${id}" must be at least 16 characters`);
    return { id, secret };
  });
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new Error('key ids must be unique');
  return keys;
}

/**
 * The signing rule: HMAC-SHA256 with the key's secret over `floodgate-webhook-url:v1:<videoId>:<tenantId>`
 * (both ids are `[A-Za-z0-9_-]`, so `:` cannot be forged into them), base64url without padding.
 */
function digest(secret: string, videoId: string, tenantId: string): Buffer {
  return createHmac('sha256', secret).update(`floodgate-webhook-url:v1:${videoId}:${tenantId}`).digest();
}

/** The token for one video, signed with the newest key (the first). */
export function signUrlToken(keys: readonly UrlTokenKey[], videoId: string, tenantId: string): string {
  const key = keys[0];
  if (!key) throw new Error('no webhook URL key configured');
  return `${key.id}.${digest(key.secret, videoId, tenantId).toString('base64url')}`;
}

/** True when `token` was signed by one of `keys` for exactly this video and tenant (constant-time compare). */
export function urlTokenMatches(
  keys: readonly UrlTokenKey[],
  token: string,
  videoId: string,
  tenantId: string,
): boolean {
  const m = TOKEN.exec(token);
  const key = m && keys.find((k) => k.id === m[1]);
  if (!m || !key) return false;
  const presented = Buffer.from(m[2]!, 'base64url');
  const expected = digest(key.secret, videoId, tenantId);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
