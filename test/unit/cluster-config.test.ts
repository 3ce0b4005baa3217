import assert from 'node:assert/strict';
import { join } from 'node:path';
import { findPostgresBinDir } from '../../src/cluster/postgres.js';
import { clusterPorts } from '../../src/cluster/temporal-server.js';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('cluster profile configuration', () => {
  it('has defaults apart from the dev profile, state under DATA_DIR/cluster', () => {
    const config = loadConfig({ DATA_DIR: '/srv/floodgate' });
    assert.equal(config.cluster.postgresPort, 7432);
    assert.equal(config.cluster.dir, join('/srv/floodgate', 'cluster'));
    const ports = clusterPorts(config);
    assert.equal(ports.frontend, 7233);
    // Nine internal ports in a row from CLUSTER_PORT_BASE, none shared.
    const internal = Object.entries(ports).filter(([name]) => name !== 'frontend');
    assert.deepEqual(
      internal.map(([, p]) => p).sort((a, b) => a - b),
      [7300, 7301, 7302, 7303, 7304, 7305, 7306, 7307, 7308],
    );
  });

  it('refuses ports the server cannot store in PostgreSQL (smallint), naming the variable', () => {
    assert.throws(
      () => loadConfig({ CLUSTER_PORT_BASE: '32760' }),
      (err: Error) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /CLUSTER_PORT_BASE/);
        return true;
      },
    );
    assert.throws(() => clusterPorts(loadConfig({ TEMPORAL_PORT: '40000' })), /TEMPORAL_PORT/);
  });

  it('names POSTGRES_BIN_DIR when it points nowhere', () => {
    assert.throws(() => findPostgresBinDir('/nonexistent/bin'), /POSTGRES_BIN_DIR=\/nonexistent\/bin/);
  });
});
