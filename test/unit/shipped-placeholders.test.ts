import assert from 'node:assert/strict';
import { join } from 'node:path';
import { COMPOSE_DIR } from '../../src/cluster/temporal-server.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { filledComposeEnv, readEnvFile } from '../support/compose-env.js';
import { loadComposeProject } from '../support/compose-project.js';
import { productionEnv } from '../support/production-env.js';

const composeFile = join(COMPOSE_DIR, 'docker-compose.yml');
/** In .env.example, but not Floodgate's to refuse: Temporal's database, and S3 keys (unset: the SDK's own chain). */
const NOT_CHECKED_BY_FLOODGATE = new Set(['POSTGRES_PASSWORD', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY']);

/**
 * The API service's environment as `docker compose` would give it (the reference parser, with
 * `vars` as the .env file). TLS paths name files inside the containers, so they are left out.
 */
async function composeApiEnv(vars: Record<string, string>): Promise<Record<string, string>> {
  const project = await loadComposeProject(composeFile, vars);
  return Object.fromEntries(
    Object.entries(project.services.api!.environment ?? {})
      .filter(([k, v]) => !k.startsWith('TEMPORAL_TLS_') && v !== null)
      .map(([k, v]) => [k, String(v)]),
  );
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
describe('shipped deployment settings', function () {
  // The compose parser is built with Go on its first use (about a minute cold).
  this.timeout(300_000);
  const example = readEnvFile(join(COMPOSE_DIR, '.env.example'));
  const filled = filledComposeEnv(example);
  const leftEmpty = Object.keys(example).filter((k) => example[k] === '');

  it('docker compose with .env.example as shipped: compose asks for what is empty, Floodgate refuses every placeholder', async () => {
    await assert.rejects(loadComposeProject(composeFile, example), (err: Error) => {
      for (const key of leftEmpty)
        assert.match(err.message, new RegExp(`required variable ${key} is missing`));
      return true;
    });
    const placeholders = { ...example, ...Object.fromEntries(leftEmpty.map((k) => [k, filled[k]!])) };
    const refused = new Set(refusedVariables(await composeApiEnv(placeholders)));
    const expected = Object.keys(example).filter(
      (k) => !leftEmpty.includes(k) && !NOT_CHECKED_BY_FLOODGATE.has(k),
    );
    assert.deepEqual([...refused].sort(), expected.sort());
  });

  it('each .env.example value alone is refused in production, naming its variable', () => {
    for (const [key, value] of Object.entries(example)) {
      if (NOT_CHECKED_BY_FLOODGATE.has(key)) continue;
      const env = productionEnv();
      if (value) env[key] = value;
      else delete env[key];
      assert.deepEqual([...new Set(refusedVariables(env))], [key], `${key}=${value}`);
    }
  });

  it('docker compose with real values starts, and its defaults are values production accepts', async () => {
    const env = await composeApiEnv(filled);
    assert.deepEqual(refusedVariables(env), []);
    assert.equal(loadConfig(env).env, 'production');
  });

  it('docker compose refuses to start without each required setting', async () => {
    for (const key of Object.keys(example)) {
      const rest = Object.fromEntries(Object.entries(filled).filter(([k]) => k !== key));
      await assert.rejects(
        loadComposeProject(composeFile, rest),
        new RegExp(`required variable ${key} is missing`),
      );
    }
  });
});
