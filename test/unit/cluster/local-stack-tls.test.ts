import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureClusterTls, withLocalStackTls } from '../../../src/cluster/cluster-tls.js';

/** What `npm run storm` connects with beside a running `npm run start:cluster`. */
describe('helper commands beside the cluster profile', () => {
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'floodgate-local-tls-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('take nothing from a DATA_DIR without the profile’s certificates', () => {
    assert.deepEqual(withLocalStackTls({ PORT: '3000' }, dataDir), { PORT: '3000' });
  });

  it("use the profile's client certificate once it exists, and never over the user's own credentials", () => {
    const tls = ensureClusterTls(join(dataDir, 'cluster', 'tls'));
    const env = withLocalStackTls({ PORT: '3000' }, dataDir);
    assert.equal(env.TEMPORAL_TLS_CLIENT_CERT_PATH, tls.clientCertFile);
    assert.equal(env.TEMPORAL_TLS_SERVER_CA_CERT_PATH, tls.caFile);
    for (const own of [{ TEMPORAL_API_KEY: 'k' }, { TEMPORAL_TLS_CLIENT_CERT_PATH: '/mine.pem' }]) {
      assert.deepEqual(withLocalStackTls(own, dataDir), own);
    }
  });
});
