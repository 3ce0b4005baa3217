import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { loadConfig } from '../../src/config.js';
import { TASK_QUEUES } from '../../src/shared/task-queues.js';

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
    .filter((f) => f.endsWith('.yaml'))
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
      'PersistentVolumeClaim',
      'ScaledObject',
      'Service',
    ]);
    assert.equal(byKind('Deployment').length, 3, 'the API and one Deployment per lane');
  });

  it('hold settings that Floodgate accepts', () => {
    const secrets = {
      API_KEYS: 'k8s-test-key',
      REPLICATE_WEBHOOK_SECRETS: 'whsec_dGVzdA==',
      GENERIC_WEBHOOK_SECRETS: 'test-generic',
      PASSWORD_RESET_ID_KEY: 'a-test-key-of-some-length',
      PAYLOAD_ENCRYPTION_KEYS: `t1:${Buffer.alloc(32, 7).toString('base64')}`,
      WEBHOOK_URL_KEYS: 'u1:a-test-url-key-of-some-length',
    };
    const parsed = loadConfig({ ...config.data, ...secrets });
    assert.equal(parsed.env, 'production');
    const video = workers.find((d) => d.metadata.labels!['floodgate/task-queue'] === TASK_QUEUES.video)!;
    const graceSeconds = video.spec.template.spec.terminationGracePeriodSeconds as number;
    assert.ok(
      graceSeconds * 1000 > parsed.lanes.video.shutdownGraceMs,
      'a scaled-in video pod outlives its drain',
    );
  });

  it('run one worker Deployment per lane, on the task queues and entries the code uses', () => {
    const parsed = loadConfig({ ...config.data, NODE_ENV: 'test' });
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
});
