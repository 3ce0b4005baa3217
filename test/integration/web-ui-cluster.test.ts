import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster } from '../../src/stack/cluster-stack.js';
import { freePort, freePortRange } from '../support/free-port.js';
import { describeWebUiChecks } from './web-ui-checks.js';
import { removePostgresHome } from '../../src/cluster/postgres-home.js';

// The cluster profile: the Web UI server in front of the Temporal server on PostgreSQL, calling
// the API's /codec from the browser, with the same checks as the dev profile's UI.
describeWebUiChecks(
  'npm run start:cluster',
  async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'floodgate-web-ui-cluster-'));
    const [api, ui, postgres, smtp, provider] = await Promise.all([1, 2, 3, 4, 5].map(() => freePort()));
    const temporalBase = await freePortRange(10);
    const cluster = await startCluster({
      env: {
        NODE_ENV: 'test',
        LOG_LEVEL: 'error',
        TEMPORAL_ADDRESS: '',
        DATA_DIR: dataDir,
        PORT: String(api),
        TEMPORAL_PORT: String(temporalBase + 9),
        TEMPORAL_UI_PORT: String(ui),
        CLUSTER_PORT_BASE: String(temporalBase),
        CLUSTER_POSTGRES_PORT: String(postgres),
        SMTP_SINK_PORT: String(smtp),
        PROVIDER_SIM_PORT: String(provider),
      },
    });
    return {
      uiUrl: cluster.uiUrl,
      apiUrl: `http://127.0.0.1:${api}`,
      apiKey: 'fg_dev_key', // the development key the profile prints
      providerUrl: `http://127.0.0.1:${provider}`,
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
