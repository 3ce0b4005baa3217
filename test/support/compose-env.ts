import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { productionEnv } from './production-env.js';

/** `KEY=value` lines of an .env file (comments and blank lines skipped). */
export function readEnvFile(path: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) vars[m[1]!] = m[2]!;
  }
  return vars;
}

/**
 * What an operator's `.env` next to docker-compose.yml holds once filled in: every key of
 * `.env.example`, each with a real value (the production checks' own example values, random
 * keys for the object store and Temporal's database).
 */
export function filledComposeEnv(example: Record<string, string>): Record<string, string> {
  const real: Record<string, string> = {
    ...productionEnv(),
    POSTGRES_PASSWORD: randomBytes(24).toString('base64url'),
    S3_ACCESS_KEY_ID: randomBytes(10).toString('hex'),
    S3_SECRET_ACCESS_KEY: randomBytes(30).toString('base64url'),
  };
  return Object.fromEntries(
    Object.keys(example).map((k) => [k, real[k] ?? randomBytes(32).toString('base64url')]),
  );
}
