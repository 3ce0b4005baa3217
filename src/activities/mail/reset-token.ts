import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe: the secret that goes only into the mail. */
export function createResetToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the workflow keeps and compares: the token's SHA-256, hex. The API hashes presented tokens the same way. */
export function hashResetToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
