import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config.js';
import { policyFromConfig } from '../../src/workers/autoscaler/video-autoscaler.js';

describe('config: autoscaler and worker metrics', () => {
  it('defaults to no autoscaling and one metrics port per lane', () => {
    const c = loadConfig({});
    assert.equal(c.autoscale.enabled, false);
    assert.deepEqual(
      [c.autoscale.minReplicas, c.autoscale.maxReplicas, c.autoscale.intervalMs, c.autoscale.cooldownMs],
      [1, 4, 5_000, 30_000],
    );
    assert.deepEqual(c.workerMetrics, { host: '127.0.0.1', ports: { urgent: 9464, video: 9465 } });
    assert.equal(c.autoscale.metricsPort, 9463);
    assert.equal(policyFromConfig(c).cpuCeiling, 0.8, "a machine's CPU bounds its replicas by default");
    assert.equal(policyFromConfig(loadConfig({ AUTOSCALE_CPU_CEILING: 'off' })).cpuCeiling, undefined);
  });

  it('reads every autoscaler setting', () => {
    const c = loadConfig({
      VIDEO_AUTOSCALE: 'on',
      AUTOSCALE_MIN_REPLICAS: '2',
      AUTOSCALE_MAX_REPLICAS: '6',
      AUTOSCALE_INTERVAL: '2s',
      AUTOSCALE_BACKLOG_PER_REPLICA: '25',
      AUTOSCALE_MAX_BACKLOG_AGE: '1m',
      AUTOSCALE_COOLDOWN: '45s',
      VIDEO_WORKER_SHUTDOWN_GRACE: '20s',
      VIDEO_WORKER_METRICS_PORT: '0',
      AUTOSCALE_CPU_CEILING: '90',
    });
    assert.deepEqual(c.autoscale, {
      enabled: true,
      minReplicas: 2,
      maxReplicas: 6,
      intervalMs: 2_000,
      backlogPerReplica: 25,
      maxBacklogAgeMs: 60_000,
      cooldownMs: 45_000,
      metricsPort: 9463,
      cpuCeiling: 0.9,
    });
    assert.equal(c.lanes.video.shutdownGraceMs, 20_000);
    assert.equal(c.workerMetrics.ports.video, 0);
  });

  it('names the variable when a value is bad', () => {
    assert.throws(() => loadConfig({ VIDEO_AUTOSCALE: 'yes' }), /VIDEO_AUTOSCALE/);
    assert.throws(() => loadConfig({ AUTOSCALE_MAX_REPLICAS: '0' }), /AUTOSCALE_MAX_REPLICAS/);
    assert.throws(() => loadConfig({ AUTOSCALE_COOLDOWN: 'later' }), /AUTOSCALE_COOLDOWN/);
    assert.throws(
      () => loadConfig({ AUTOSCALE_MIN_REPLICAS: '5', AUTOSCALE_MAX_REPLICAS: '3' }),
      (err: Error) => err instanceof ConfigError && /AUTOSCALE_MIN_REPLICAS/.test(err.message),
    );
    assert.throws(() => loadConfig({ AUTOSCALE_CPU_CEILING: '0' }), /AUTOSCALE_CPU_CEILING/);
    assert.throws(() => loadConfig({ AUTOSCALE_CPU_CEILING: '150' }), /AUTOSCALE_CPU_CEILING/);
    assert.throws(() => loadConfig({ URGENT_WORKER_METRICS_PORT: '70000' }), /URGENT_WORKER_METRICS_PORT/);
  });
});
