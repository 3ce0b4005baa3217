import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { connectionOptions, temporalAddress } from '../../../src/temporal/connection-options.js';

/**
 * The connection settings every Floodgate process uses come from @temporalio/envconfig: a TOML
 * profile file (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE) under the TEMPORAL_* variables, read
 * through Floodgate's own config and connection options.
 */
describe('Temporal connection options (envconfig profile)', () => {
  let dir: string;
  let file: string;
  const cert = '-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----\n';
  const key = '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n';
  const ca = '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n';

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'floodgate-envconfig-'));
    writeFileSync(join(dir, 'client.pem'), cert);
    writeFileSync(join(dir, 'client.key'), key);
    writeFileSync(join(dir, 'ca.pem'), ca);
    file = join(dir, 'temporal.toml');
    writeFileSync(
      file,
      [
        '[profile.default]',
        'address = "default.example:7233"',
        '',
        '[profile.cloud]',
        'address = "us-east-1.aws.api.temporal.io:7233"',
        'namespace = "floodgate.a1b2c"',
        'api_key = "cloud-api-key"',
        '',
        '[profile.mtls]',
        'address = "temporal.internal:7233"',
        'namespace = "floodgate-prod"',
        '[profile.mtls.tls]',
        `client_cert_path = "${join(dir, 'client.pem')}"`,
        `client_key_path = "${join(dir, 'client.key')}"`,
        `server_ca_cert_path = "${join(dir, 'ca.pem')}"`,
        'server_name = "temporal.internal"',
        '',
      ].join('\n'),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('an API key profile: address, namespace, key, and TLS on', () => {
    const config = loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' });
    assert.equal(config.temporal.namespace, 'floodgate.a1b2c');
    assert.deepEqual(connectionOptions(config), {
      address: 'us-east-1.aws.api.temporal.io:7233',
      apiKey: 'cloud-api-key',
      tls: true,
      metadata: undefined,
    });
  });

  it('an mTLS profile: certificate, key and CA read from their files, server name', () => {
    const config = loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'mtls' });
    assert.equal(config.temporal.namespace, 'floodgate-prod');
    const options = connectionOptions(config);
    assert.equal(options.address, 'temporal.internal:7233');
    assert.equal(options.apiKey, undefined);
    assert.deepEqual(options.tls, {
      serverNameOverride: 'temporal.internal',
      serverRootCACertificate: Buffer.from(ca),
      clientCertPair: { crt: Buffer.from(cert), key: Buffer.from(key) },
    });
  });

  it('variables win over the file; a lane server of its own keeps the credentials', () => {
    const config = loadConfig({
      TEMPORAL_CONFIG_FILE: file,
      TEMPORAL_PROFILE: 'cloud',
      TEMPORAL_ADDRESS: 'other.example:7233',
      TEMPORAL_NAMESPACE: 'other-ns',
      URGENT_TEMPORAL_ADDRESS: 'urgent.example:7233',
    });
    assert.equal(config.temporal.namespace, 'other-ns');
    assert.equal(connectionOptions(config).address, 'other.example:7233');
    assert.deepEqual(connectionOptions(config, 'urgent.example:7233'), {
      address: 'urgent.example:7233',
      apiKey: 'cloud-api-key',
      tls: true,
      metadata: undefined,
    });
  });

  it('without a file or TEMPORAL_ADDRESS: the local dev server, plain', () => {
    const config = loadConfig({ TEMPORAL_PORT: '7299' });
    assert.equal(config.temporal.address, undefined);
    assert.equal(temporalAddress(config), '127.0.0.1:7299');
    assert.deepEqual(connectionOptions(config), {
      address: '127.0.0.1:7299',
      apiKey: undefined,
      tls: undefined,
      metadata: undefined,
    });
  });

  it('a missing profile or a misspelt key is a configuration error naming the settings', () => {
    for (const env of [
      { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'nope' },
      { TEMPORAL_PROFILE: 'cloud' },
    ]) {
      assert.throws(
        () => loadConfig(env),
        (err: Error) =>
          err instanceof ConfigError && /TEMPORAL_PROFILE.*'(nope|cloud)' not found/.test(err.message),
      );
    }
    const typo = join(dir, 'typo.toml');
    writeFileSync(typo, '[profile.default]\nadress = "x:7233"\n');
    assert.throws(() => loadConfig({ TEMPORAL_CONFIG_FILE: typo }), ConfigError);
  });
});
