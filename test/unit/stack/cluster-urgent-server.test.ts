import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { urgentCell } from '../../../src/cluster/temporal-cells.js';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { startCluster } from '../../../src/stack/cluster-stack.js';

describe('start:cluster with STACK_URGENT_SERVER=own', () => {
  it('runs the urgent server only when no URGENT_TEMPORAL_ADDRESS names one elsewhere', () => {
    const own = urgentCell(loadConfig({ STACK_URGENT_SERVER: 'own', URGENT_TEMPORAL_NAMESPACE: 'u' }));
    assert.deepEqual(own?.databases, { main: 'temporal_urgent', visibility: 'temporal_urgent_visibility' });
    assert.equal(own?.namespace, 'u');
    const elsewhere = loadConfig({ STACK_URGENT_SERVER: 'own', URGENT_TEMPORAL_ADDRESS: 'urgent:7233' });
    assert.equal(urgentCell(elsewhere), undefined);
    assert.equal(urgentCell(loadConfig({})), undefined);
  });

  it('refuses an urgent frontend port the server cannot record, before starting anything', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'floodgate-cluster-refusal-'));
    try {
      await assert.rejects(
        startCluster({
          env: {
            DATA_DIR: dataDir,
            STACK_URGENT_SERVER: 'own',
            URGENT_TEMPORAL_ADDRESS: '',
            URGENT_TEMPORAL_PORT: '40000',
          },
        }),
        (err) => {
          assert.ok(err instanceof ConfigError, String(err));
          assert.match(err.message, /URGENT_TEMPORAL_PORT: the cluster profile needs a port below 32768/);
          return true;
        },
      );
      assert.equal(existsSync(join(dataDir, 'cluster')), false, 'nothing was prepared');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
