import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config.js';
import { appServices } from '../../../src/stack/app-services.js';
import { asUrgentReplicas, urgentWorkers } from '../../../src/stack/urgent-workers.js';

const config = (env: Record<string, string>) => loadConfig({ DATA_DIR: '/tmp/floodgate-unit', ...env });

describe("The cluster profile's urgent worker processes", () => {
  it('runs two by default, the first on URGENT_WORKER_METRICS_PORT and the other on a port of its own', async () => {
    const workers = await urgentWorkers(config({}));
    assert.deepEqual(
      workers.map((w) => w.name),
      ['worker-urgent-1', 'worker-urgent-2'],
    );
    assert.equal(workers[0]!.metricsPort, 9464);
    const other = workers[1]!.metricsPort;
    assert.ok(other > 0 && other !== 9464 && other !== 9465, `the second serves metrics on ${other}`);
  });

  it('serves no metrics from any of them when URGENT_WORKER_METRICS_PORT is 0', async () => {
    const workers = await urgentWorkers(
      config({ URGENT_WORKER_REPLICAS: '3', URGENT_WORKER_METRICS_PORT: '0' }),
    );
    assert.deepEqual(
      workers.map((w) => w.metricsPort),
      [0, 0, 0],
    );
  });

  it('puts one service per replica where the urgent worker was, each with its own metrics port', async () => {
    const c = config({ URGENT_WORKER_REPLICAS: '3' });
    const services = asUrgentReplicas(appServices(c, { A: '1' }), await urgentWorkers(c));
    assert.deepEqual(
      services.map((s) => s.name),
      [
        'smtp-sink',
        'provider-sim',
        'api',
        'worker-urgent-1',
        'worker-urgent-2',
        'worker-urgent-3',
        'worker-video',
      ],
    );
    const ports = services
      .filter((s) => s.name.startsWith('worker-urgent'))
      .map((s) => s.env?.URGENT_WORKER_METRICS_PORT);
    assert.equal(new Set(ports).size, 3, `distinct ports: ${ports.join(', ')}`);
    assert.ok(
      services.every((s) => s.env?.A === '1'),
      'each keeps the stack environment',
    );
  });

  it('refuses more than 8 or fewer than 1, naming the setting', () => {
    assert.throws(() => config({ URGENT_WORKER_REPLICAS: '9' }), /URGENT_WORKER_REPLICAS/);
    assert.throws(() => config({ URGENT_WORKER_REPLICAS: '0' }), /URGENT_WORKER_REPLICAS/);
  });
});
