import assert from 'node:assert/strict';
import { clusterPorts } from '../../../src/cluster/temporal-server.js';
import { loadConfig } from '../../../src/config.js';
import { appPorts } from '../../../src/stack/free-ports.js';
import { clusterServerMetricsPort, stackPorts } from '../../support/stack-ports.js';

/**
 * The ports a throw-away stack is given, read back through the stack's own config: every port
 * the profile listens on is distinct, and the cluster's Temporal server gets the ten in a row
 * below 32768 that its start asks for.
 */
describe('free ports for a throw-away stack', () => {
  it('npm start: the API, Temporal, its Web UI, the SMTP sink and the provider on distinct ports', async () => {
    const config = loadConfig(await stackPorts('dev-server'));
    const ports = [
      ...appPorts(config).map((p) => p.port),
      config.temporal.devServerPort,
      config.temporal.uiPort,
    ];
    assert.equal(new Set(ports).size, ports.length, ports.join(','));
    assert.ok(
      ports.every((p) => p >= 20_000 && p < 32_768),
      ports.join(','),
    );
  });

  it('start:cluster: the server’s ten ports in a row below 32768, frontend last, none shared', async () => {
    const settings = await stackPorts('cluster');
    const config = loadConfig({ ...settings, VIDEO_AUTOSCALE: 'on' });
    const server = clusterPorts(config);
    const range = Object.values(server).sort((a, b) => a - b);
    assert.deepEqual(
      range,
      Array.from({ length: 10 }, (_, i) => config.cluster.portBase + i),
    );
    assert.equal(server.frontend, range[9], 'the frontend takes the last port of the range');
    assert.equal(server.metrics, clusterServerMetricsPort(settings));
    assert.ok(server.frontend < 32_768);
    const all = [
      ...range,
      ...appPorts(config).map((p) => p.port),
      config.temporal.uiPort,
      config.cluster.postgresPort,
      config.objectStore.clusterPort,
    ];
    assert.ok(appPorts(config).some((p) => p.setting === 'AUTOSCALE_METRICS_PORT'));
    assert.equal(new Set(all).size, all.length, all.join(','));
  });
});
