import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { ConfigError, loadConfig } from '../../src/config.js';
import { productionEnv } from '../support/production-env.js';

const composeDir = new URL('../../temporal-compose/', import.meta.url).pathname;

/** `KEY=value` lines of an .env file (comments and blank lines skipped). */
function readEnvFile(path: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) vars[m[1]!] = m[2]!;
  }
  return vars;
}

/**
 * Floodgate's environment in docker-compose.yml, with `${VAR:?…}` and `${VAR:-default}` resolved
 * as compose does; `missing` gets the variables compose itself would refuse to start without.
 */
function composeEnv(vars: Record<string, string>, missing: string[] = []): Record<string, string> {
  const doc = load(readFileSync(`${composeDir}docker-compose.yml`, 'utf8')) as {
    'x-floodgate': { environment: Record<string, string> };
  };
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(doc['x-floodgate'].environment)) {
    // Files mounted from ./tls, not on this machine; the Kubernetes test checks those settings.
    if (key.startsWith('TEMPORAL_TLS_')) continue;
    out[key] = String(raw).replace(
      /\$\{(\w+)(?::([?-])([^}]*))?\}/g,
      (_m, name: string, op?: string, arg?: string) => {
        const value = vars[name];
        if (value) return value;
        if (op === '?') missing.push(name);
        return op === '-' ? (arg ?? '') : '';
      },
    );
  }
  return out;
}

function refusedVariables(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.message
      .split('\n')
      .slice(1)
      .map((l) => l.trim().replace(/( \(value \d+\))?:.*$/, ''));
  }
}

/**
 * The deployment files ship placeholders, never values that would quietly work: whoever starts
 * them unchanged gets one refusal line per placeholder, and with real values they start.
 */
describe('shipped deployment settings', () => {
  const example = readEnvFile(`${composeDir}.env.example`);

  it('docker compose with .env.example as shipped: every Floodgate placeholder is refused, nothing else', () => {
    const missing: string[] = [];
    const env = composeEnv(example, missing);
    assert.deepEqual(missing, ['PAYLOAD_ENCRYPTION_KEYS'], 'left empty: compose itself asks for it');
    const refused = new Set([...refusedVariables(env), ...missing]);
    const floodgateVars = Object.keys(example).filter((k) => k !== 'POSTGRES_PASSWORD');
    assert.deepEqual([...refused].sort(), floodgateVars.sort());
  });

  it('each .env.example value alone is refused in production, naming its variable', () => {
    for (const [key, value] of Object.entries(example)) {
      if (key === 'POSTGRES_PASSWORD') continue;
      const env = productionEnv();
      if (value) env[key] = value;
      else delete env[key];
      assert.deepEqual([...new Set(refusedVariables(env))], [key], `${key}=${value}`);
    }
  });

  it('docker compose with real values starts, and its defaults are values production accepts', () => {
    const real = productionEnv();
    const required = Object.keys(example).filter((k) => k !== 'POSTGRES_PASSWORD');
    const env = composeEnv({
      ...Object.fromEntries(required.map((k) => [k, real[k]!])),
      POSTGRES_PASSWORD: 'x',
    });
    assert.deepEqual(refusedVariables(env), []);
    assert.equal(loadConfig(env).env, 'production');
  });

  it('docker compose refuses to start without each required setting', () => {
    for (const key of Object.keys(example)) {
      if (key === 'POSTGRES_PASSWORD') continue;
      const rest = productionEnv();
      delete rest[key];
      const missing: string[] = [];
      composeEnv(rest, missing);
      assert.deepEqual(missing, [key]);
    }
  });
});
