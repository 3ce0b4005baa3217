import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster } from '../../src/stack/cluster-stack.js';
import { clusterTestEnv } from '../support/cluster-env.js';
import { describeWebUiChecks } from './web-ui-checks.js';
import { removePostgresHome } from '../../src/cluster/postgres-home.js';

// The cluster profile: the Web UI server in front of the Temporal server on PostgreSQL, calling
// the API's /codec from the browser, with the same checks as the dev profile's UI.
describeWebUiChecks(
  'npm run start:cluster',
  async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'floodgate-web-ui-cluster-'));
    const env = await clusterTestEnv(dataDir);
    const cluster = await startCluster({ env });
    return {
      uiUrl: cluster.uiUrl,
      apiUrl: `http://127.0.0.1:${env.PORT}`,
      apiKey: 'fg_dev_key', // the development key the profile prints
      providerUrl: `http://127.0.0.1:${env.PROVIDER_SIM_PORT}`,
      namespace: 'default',
      stop: async () => {
        await cluster.stop();
        removePostgresHome(dataDir);
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
  { screenshotPath: join(tmpdir(), 'floodgate-web-ui-cluster.png') },
);
