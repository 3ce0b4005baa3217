import assert from 'node:assert/strict';
import { ConfigError, DEV_DEFAULTS, loadConfig } from '../../src/config.js';
import { productionEnv, randomSecret } from '../support/production-env.js';

describe('config', () => {
  it('has working development defaults', () => {
    const config = loadConfig({});
    assert.equal(config.api.port, 3000);
    assert.equal(config.temporal.address, undefined);
    assert.equal(config.temporal.uiPort, 8233);
    assert.deepEqual(config.api.apiKeys, [DEV_DEFAULTS.apiKey]);
    assert.equal(config.passwordReset.ttlMs, 30 * 60_000);
    assert.equal(config.provider.reconcileAfterMs, 10 * 60_000);
    assert.ok(config.usingDevSecrets);
  });

  it('reads the names the architecture promises', () => {
    const config = loadConfig({
      PORT: '3100',
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      DATA_DIR: '/var/lib/floodgate',
      REPLICATE_WEBHOOK_SECRETS: 'whsec_a, whsec_b',
      GENERIC_WEBHOOK_SECRETS: 'g1',
      API_KEYS: 'k1,k2,',
    });
    assert.equal(config.api.port, 3100);
    assert.equal(config.temporal.address, 'temporal.internal:7233');
    assert.equal(config.dataDir, '/var/lib/floodgate');
    assert.deepEqual(config.webhooks.replicateSecrets, ['whsec_a', 'whsec_b']);
    assert.deepEqual(config.webhooks.genericSecrets, ['g1']);
    assert.deepEqual(config.api.apiKeys, ['k1', 'k2']);
  });

  it('treats an empty variable as unset', () => {
    assert.equal(loadConfig({ TEMPORAL_ADDRESS: '' }).temporal.address, undefined);
  });

  it('parses durations with units', () => {
    const config = loadConfig({
      PASSWORD_RESET_TTL: '2h',
      RECONCILE_AFTER: '45s',
      WEBHOOK_ACK_DEADLINE: '750ms',
    });
    assert.equal(config.passwordReset.ttlMs, 7_200_000);
    assert.equal(config.provider.reconcileAfterMs, 45_000);
    assert.equal(config.webhooks.ackDeadlineMs, 750);
  });

  it('names the variable when a value is bad', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty' }),
      (err: Error) => err instanceof ConfigError && /PORT/.test(err.message),
    );
    assert.throws(() => loadConfig({ RECONCILE_AFTER: 'soon' }), /RECONCILE_AFTER.*not a duration/s);
    assert.throws(() => loadConfig({ API_KEYS: ' , ' }), /API_KEYS/);
    assert.throws(
      () => loadConfig({ URGENT_CACHED_WORKFLOWS: '10', URGENT_WORKFLOW_SLOTS: '20' }),
      /URGENT_CACHED_WORKFLOWS: 10 is below URGENT_WORKFLOW_SLOTS \(20\)/,
    );
    assert.throws(() => loadConfig({ TENANT_FAIRNESS_WEIGHTS: 'acme=heavy' }), /TENANT_FAIRNESS_WEIGHTS/);
    assert.throws(() => loadConfig({ S3_PART_SIZE: String(1024 * 1024) }), /S3_PART_SIZE.*at least 5 MiB/s);
    assert.throws(
      () => loadConfig({ DOWNLOAD_IN_TASK_MAX_BYTES: String(5 * 1024 * 1024) }),
      /DOWNLOAD_IN_TASK_MAX_BYTES.*at most 4 MiB/s,
    );
    assert.equal(loadConfig({ DOWNLOAD_IN_TASK_MAX_BYTES: '0' }).provider.downloadInTaskMaxBytes, 0);
    assert.equal(loadConfig({}).provider.downloadInTaskMaxBytes, 4 * 1024 * 1024);
    assert.throws(() => loadConfig({ STORAGE_BACKEND: 'ftp' }), /STORAGE_BACKEND/);
    assert.throws(() => loadConfig({ S3_ENDPOINT: 'not a url' }), /S3_ENDPOINT/);
  });

  it('keeps videos in the local folder unless S3 is chosen, and takes S3 keys only as a pair', () => {
    assert.equal(loadConfig({}).objectStore.backend, 'local');
    assert.throws(
      () => loadConfig({ STORAGE_BACKEND: 's3', S3_ACCESS_KEY_ID: 'AK' }),
      /S3_ACCESS_KEY_ID \/ S3_SECRET_ACCESS_KEY: set both or neither/,
    );
  });

  it('refuses an urgent server of its own with one shared lane, which could never run its resets', () => {
    for (const env of [{ URGENT_TEMPORAL_ADDRESS: 'urgent:7233' }, { STACK_URGENT_SERVER: 'own' }]) {
      assert.throws(() => loadConfig({ ...env, LANE_MODE: 'shared' }), /need LANE_MODE=dedicated/);
      assert.doesNotThrow(() => loadConfig(env));
    }
    assert.equal(
      loadConfig({ URGENT_TEMPORAL_ADDRESS: 'urgent:7233' }).temporal.urgentAddress,
      'urgent:7233',
    );
  });

  it('refuses development secrets in production (every refusal: production-settings.test.ts)', () => {
    assert.throws(() => loadConfig({ NODE_ENV: 'production' }), /API_KEYS: the development default/);
    const config = loadConfig(
      productionEnv({ WEBHOOK_URL_KEYS: `prod2:${randomSecret()},prod1:${randomSecret()}` }),
    );
    assert.equal(config.usingDevSecrets, false);
    assert.deepEqual(
      config.webhooks.urlTokenKeys.map((k) => k.id),
      ['prod2', 'prod1'],
    );
  });

  it('refuses webhook URL keys that are not id:secret, short, or twice the same id', () => {
    for (const bad of [
      'no-colon-here-at-all',
      'k1:short',
      'k1:a-long-enough-secret,k1:another-long-secret',
    ]) {
      assert.throws(() => loadConfig({ WEBHOOK_URL_KEYS: bad }), /WEBHOOK_URL_KEYS/);
    }
  });

  it('payload privacy: production trusts no loopback, reads no plaintext; a codec token is no API key', () => {
    const prod = productionEnv();
    const config = loadConfig(prod);
    assert.equal(config.payloadEncryption.requireEncrypted, true);
    assert.equal(config.payloadEncryption.codecTrustLoopback, false);
    assert.equal(config.payloadEncryption.localStackTrustsLoopback, false);
    assert.throws(() => loadConfig({ ...prod, CODEC_TRUST_LOOPBACK: 'true' }), /CODEC_TRUST_LOOPBACK/);
    assert.throws(
      () => loadConfig({ ...prod, PAYLOAD_REQUIRE_ENCRYPTION: 'false' }),
      /PAYLOAD_REQUIRE_ENCRYPTION/,
    );
    assert.throws(() => loadConfig({ ...prod, PAYLOAD_ENCRYPTION_KEYS: 'off' }), /PAYLOAD_ENCRYPTION_KEYS/);
    assert.throws(
      () => loadConfig({ ...prod, CODEC_AUTH_TOKENS: `${randomSecret()},${prod.API_KEYS}` }),
      /CODEC_AUTH_TOKENS: a codec token must not also be an API key/,
    );
    const dev = loadConfig({ PORT: '3100' });
    assert.equal(dev.payloadEncryption.requireEncrypted, false);
    assert.equal(dev.payloadEncryption.codecTrustLoopback, false, 'the API alone trusts nobody by default');
    assert.equal(
      dev.payloadEncryption.localStackTrustsLoopback,
      true,
      'npm start turns it on for its Web UI',
    );
    assert.deepEqual(dev.payloadEncryption.codecLoopbackHosts, [
      '127.0.0.1:3100',
      'localhost:3100',
      '[::1]:3100',
    ]);
    assert.equal(
      loadConfig({ CODEC_TRUST_LOOPBACK: 'false' }).payloadEncryption.localStackTrustsLoopback,
      false,
    );
  });

  it('parses tenant fairness weights', () => {
    assert.deepEqual(
      loadConfig({ TENANT_FAIRNESS_WEIGHTS: 'acme=3, bulkco=0.5' }).lanes.tenantFairnessWeights,
      {
        acme: 3,
        bulkco: 0.5,
      },
    );
  });
});
