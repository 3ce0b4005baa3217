import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { ConfigError, loadConfig } from '../../src/config.js';
import { TASK_QUEUES } from '../../src/shared/task-queues.js';
import { productionEnv } from '../support/production-env.js';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  // Each kind's own shape; the checks below read what they need.
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  data?: Record<string, string>;
}

const dir = new URL('../../temporal-compose/kubernetes/', import.meta.url).pathname;

/**
 * The Kubernetes manifests are not applied here; these checks keep them consistent with the
 * code: they parse, name the lanes' real task queues and entry files, their settings pass
 * Floodgate's own config validation, and the KEDA scaler's bounds make sense.
 */
describe('Kubernetes manifests', () => {
  const docs: Manifest[] = readdirSync(dir)
    // kustomization.yaml lists the manifests for `kubectl apply -k`; it is not one of them.
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .flatMap((f) => loadAll(readFileSync(join(dir, f), 'utf8')) as Manifest[])
    .filter(Boolean);
  const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
  const config = byKind('ConfigMap')[0]!;
  const workers = byKind('Deployment').filter((d) => d.metadata.labels?.['floodgate/task-queue']);

  it('parse into named objects of the expected kinds', () => {
    for (const d of docs) {
      assert.ok(d.apiVersion && d.kind && d.metadata?.name, `incomplete: ${JSON.stringify(d).slice(0, 80)}`);
    }
    assert.deepEqual([...new Set(docs.map((d) => d.kind))].sort(), [
      'ConfigMap',
      'Deployment',
      'ScaledObject',
      'Service',
      'TriggerAuthentication',
    ]);
    assert.equal(byKind('Deployment').length, 3, 'the API and one Deployment per lane');
  });

  it('ship placeholders that production refuses, and with them set, settings Floodgate accepts', () => {
    // The Secret's keys, as an operator creates them.
    const real = productionEnv();
    const secrets = Object.fromEntries(
      [
        'API_KEYS',
        'REPLICATE_WEBHOOK_SECRETS',
        'GENERIC_WEBHOOK_SECRETS',
        'PASSWORD_RESET_ID_KEY',
        'PAYLOAD_ENCRYPTION_KEYS',
        'WEBHOOK_URL_KEYS',
        'SMTP_URL',
        'PROVIDER_API_TOKEN',
      ].map((k) => [k, real[k]!]),
    );
    const placeholders = ['PUBLIC_BASE_URL', 'PASSWORD_RESET_URL_BASE', 'MAIL_FROM'];
    assert.throws(
      () => loadConfig({ ...config.data, ...secrets }),
      (err: Error) =>
        err instanceof ConfigError &&
        JSON.stringify(
          err.message
            .split('\n')
            .slice(1)
            .map((l) => l.trim().split(':')[0]),
        ) === JSON.stringify(placeholders),
    );
    const filled = Object.fromEntries(placeholders.map((k) => [k, real[k]!]));
    const parsed = loadConfig({ ...config.data, ...secrets, ...filled });
    assert.equal(parsed.env, 'production');
    assert.equal(parsed.objectStore.backend, 's3', 'videos go to a bucket, not a pod volume');
    const video = workers.find((d) => d.metadata.labels!['floodgate/task-queue'] === TASK_QUEUES.video)!;
    const graceSeconds = video.spec.template.spec.terminationGracePeriodSeconds as number;
    assert.ok(
      graceSeconds * 1000 > parsed.lanes.video.shutdownGraceMs,
      'a scaled-in video pod outlives its drain',
    );
  });

  it('run one worker Deployment per lane, on the task queues and entries the code uses', () => {
    const parsed = loadConfig({ ...config.data, NODE_ENV: 'test', HOST: '127.0.0.1' });
    const lanes = workers.map((d) => d.metadata.labels!['floodgate/task-queue']).sort();
    assert.deepEqual(lanes, [TASK_QUEUES.urgent, TASK_QUEUES.video].sort());
    for (const d of workers) {
      const lane = d.metadata.labels!['floodgate/task-queue'] as 'urgent' | 'video';
      const pod = d.spec.template;
      assert.equal(pod.metadata.labels['floodgate/task-queue'], lane);
      assert.deepEqual(pod.spec.containers[0].command, ['node', `dist/src/workers/${lane}.js`]);
      assert.equal(Number(pod.metadata.annotations['prometheus.io/port']), parsed.workerMetrics.ports[lane]);
    }
  });

  it('scale the video Deployment with KEDA on the video task queue, within sane bounds', () => {
    const [scaled] = byKind('ScaledObject');
    assert.ok(scaled);
    const video = workers.find((d) => d.metadata.labels!['floodgate/task-queue'] === TASK_QUEUES.video)!;
    assert.equal(scaled.spec.scaleTargetRef.name, video.metadata.name);
    const { minReplicaCount: min, maxReplicaCount: max } = scaled.spec;
    assert.ok(Number.isInteger(min) && Number.isInteger(max) && min >= 1 && max >= min && max <= 50);
    const [trigger] = scaled.spec.triggers;
    assert.equal(trigger.type, 'temporal');
    const m = trigger.metadata as Record<string, string>;
    assert.equal(m.taskQueue, TASK_QUEUES.video);
    assert.equal(m.endpoint, config.data!.TEMPORAL_ADDRESS);
    assert.equal(m.namespace, config.data!.TEMPORAL_NAMESPACE);
    assert.match(m.targetQueueSize!, /^[1-9]\d*$/);
    for (const t of m.queueTypes!.split(',')) assert.ok(['workflow', 'activity', 'nexus'].includes(t), t);
    // KEDA reads trigger metadata as strings: a bare YAML number would be rejected.
    for (const [key, value] of Object.entries(m)) assert.equal(typeof value, 'string', key);
  });

  it('give every pod and the KEDA scaler the client certificate, with the standard TLS settings', () => {
    for (const d of byKind('Deployment')) {
      const pod = d.spec.template.spec;
      const volume = pod.volumes.find((v: { secret?: { secretName: string } }) => v.secret);
      assert.equal(volume?.secret.secretName, 'floodgate-temporal-tls', d.metadata.name);
      const container = pod.containers[0];
      const mount = container.volumeMounts.find((m: { name: string }) => m.name === volume.name);
      const env = Object.fromEntries(
        (container.env as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]),
      );
      for (const name of [
        'TEMPORAL_TLS_CLIENT_CERT_PATH',
        'TEMPORAL_TLS_CLIENT_KEY_PATH',
        'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
      ]) {
        assert.ok(
          env[name]?.startsWith(`${mount.mountPath}/`),
          `${d.metadata.name}: ${name} in the Secret's mount`,
        );
      }
    }
    const [auth] = byKind('TriggerAuthentication');
    const params = auth!.spec.secretTargetRef.map((r: { parameter: string; name: string }) => [
      r.parameter,
      r.name,
    ]);
    assert.deepEqual(params, [
      ['cert', 'floodgate-temporal-tls'],
      ['key', 'floodgate-temporal-tls'],
      ['ca', 'floodgate-temporal-tls'],
    ]);
    assert.equal(byKind('ScaledObject')[0]!.spec.triggers[0].authenticationRef.name, auth!.metadata.name);
  });
});
