import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterTlsFiles, ensureClusterTls, SERVER_NAMES } from '../../../src/cluster/cluster-tls.js';
import { makeCa, makeLeaf } from '../../../src/cluster/openssl-certs.js';
import { StartupError } from '../../../src/startup-error.js';

/**
 * The cluster profile's certificates with the real openssl: made once, reused, re-issued when
 * missing, expiring or from another CA, and never overwritten when they come from your own CA.
 */
describe('cluster TLS certificates', () => {
  let root: string;
  let dir: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'floodgate-tls-'));
    dir = join(root, 'cluster', 'tls');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const read = (file: string) => readFileSync(file, 'utf8');

  it('makes a CA, a server and a client certificate once, private keys 0600, then reuses them', () => {
    const first = ensureClusterTls(dir);
    assert.deepEqual(first.made, ['CA', 'server', 'client']);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.notEqual(statSync(join(root, 'cluster')).mode & 0o777, 0o700, 'only the key folder is private');
    for (const key of [first.serverKeyFile, first.clientKeyFile, join(dir, 'ca-key.pem')]) {
      assert.equal(statSync(key).mode & 0o777, 0o600, key);
    }
    const ca = new X509Certificate(read(first.caFile));
    const server = new X509Certificate(read(first.serverCertFile));
    const client = new X509Certificate(read(first.clientCertFile));
    assert.ok(server.checkIssued(ca) && client.checkIssued(ca));
    for (const name of SERVER_NAMES) {
      assert.ok(server.checkHost(name) || server.checkIP(name), `server certificate covers ${name}`);
    }
    assert.equal(client.checkHost('localhost'), undefined, 'the client certificate names no server');

    const before = [first.caFile, first.serverCertFile, first.clientCertFile].map(read);
    assert.deepEqual(ensureClusterTls(dir).made, []);
    assert.deepEqual([first.caFile, first.serverCertFile, first.clientCertFile].map(read), before);
  });

  it('re-issues a missing key, an expiring certificate and one from another CA, keeping the CA', () => {
    const files = ensureClusterTls(dir);
    const ca = read(files.caFile);
    unlinkSync(files.clientKeyFile);
    assert.deepEqual(ensureClusterTls(dir).made, ['client']);

    // A server certificate that expires in 10 days: inside the 30-day window.
    makeLeaf(
      { certFile: files.caFile, keyFile: join(dir, 'ca-key.pem') },
      {
        certFile: files.serverCertFile,
        keyFile: files.serverKeyFile,
        commonName: 'x',
        usages: ['serverAuth'],
        days: 10,
      },
    );
    assert.deepEqual(ensureClusterTls(dir).made, ['server']);

    const other = join(root, 'other');
    ensureClusterTls(other);
    writeFileSync(files.clientCertFile, read(join(other, 'client.pem')));
    writeFileSync(files.clientKeyFile, read(join(other, 'client-key.pem')));
    assert.deepEqual(ensureClusterTls(dir).made, ['client']);
    assert.equal(read(files.caFile), ca, 'the CA stays');
  });

  it('with your own CA (no ca-key.pem) keeps valid files and refuses to overwrite a bad one', () => {
    const files = clusterTlsFiles(dir);
    ensureClusterTls(dir);
    unlinkSync(join(dir, 'ca-key.pem'));
    assert.deepEqual(ensureClusterTls(dir).made, []);
    const ownCaKey = join(root, 'own-ca-key.pem');
    makeCa(join(root, 'own-ca.pem'), ownCaKey, 5, 'own CA expiring soon');
    writeFileSync(files.caFile, read(join(root, 'own-ca.pem')));
    assert.throws(
      () => ensureClusterTls(dir),
      (err) => err instanceof StartupError && /ca\.pem expires .*no ca-key\.pem/.test(err.message),
    );
    assert.equal(read(files.caFile), read(join(root, 'own-ca.pem')), 'your file is left as it was');
  });
});
