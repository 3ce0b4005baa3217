import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../src/config.js';
import { startCluster } from '../../../src/stack/cluster-stack.js';

describe('start:cluster with STACK_URGENT_SERVER=own', () => {
  it('refuses it before starting anything, and names what to set instead', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'floodgate-cluster-refusal-'));
    try {
      await assert.rejects(
        startCluster({ env: { DATA_DIR: dataDir, STACK_URGENT_SERVER: 'own', URGENT_TEMPORAL_ADDRESS: '' } }),
        (err) => {
          assert.ok(err instanceof ConfigError, String(err));
          assert.match(err.message, /STACK_URGENT_SERVER=own/);
          assert.match(err.message, /URGENT_TEMPORAL_ADDRESS/);
          return true;
        },
      );
      assert.equal(existsSync(join(dataDir, 'cluster')), false, 'nothing was prepared');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
