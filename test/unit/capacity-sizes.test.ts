import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load, loadAll } from 'js-yaml';

const root = new URL('../../', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(root, path), 'utf8');
/** The shipped Kubernetes manifests; kustomization.yaml only lists them. */
const manifestFiles = () =>
  readdirSync(join(root, 'temporal-compose/kubernetes'))
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .sort();

interface Patched {
  kind: string;
  metadata: { name: string };
  spec: {
    replicas?: number;
    minReplicaCount?: number;
    maxReplicaCount?: number;
    template?: { spec: { containers: { name: string; resources?: { requests?: { cpu?: string } } }[] } };
  };
}

/** The cells of the row of docs/capacity.md's "Sizes" table whose first cell starts with `label`. */
function sizesRow(label: string): string[] {
  const section = read('docs/capacity.md').split('## Sizes')[1]!.split('\n## ')[0]!;
  const row = section.split('\n').find((l) => l.startsWith(`| ${label}`));
  assert.ok(row, `docs/capacity.md's Sizes table has no row "${label}"`);
  return row
    .split('|')
    .slice(2, -1)
    .map((c) => c.trim());
}
const leadingNumber = (cell: string) => Number(/^[\d,]+/.exec(cell)?.[0].replace(/,/g, ''));

const sizes = [
  { dir: '15k', column: 1 },
  { dir: '150k', column: 2 },
];

/**
 * The sized deployment files in temporal-compose/sizes/ are what docs/capacity.md's model gives
 * for 15,000 and 150,000 webhooks a minute: these checks keep the files, the model's table and
 * the shipped manifests and dynamic config from drifting apart.
 */
describe('capacity sizes (temporal-compose/sizes)', () => {
  it('the base kustomization lists every Kubernetes manifest', () => {
    const base = load(read('temporal-compose/kubernetes/kustomization.yaml')) as { resources: string[] };
    assert.deepEqual([...base.resources].sort(), manifestFiles());
  });

  for (const { dir, column } of sizes) {
    describe(dir, () => {
      const overlay = load(read(`temporal-compose/sizes/${dir}/kustomization.yaml`)) as {
        resources: string[];
        patches: { patch: string }[];
      };
      const patched = overlay.patches.map((p) => load(p.patch) as Patched);
      const find = (kind: string, name: string) => {
        const found = patched.find((p) => p.kind === kind && p.metadata.name === name);
        assert.ok(found, `${dir} patches no ${kind} ${name}`);
        return found;
      };

      it('builds on the shipped manifests and patches only objects they define', () => {
        assert.deepEqual(overlay.resources, ['../../kubernetes']);
        const shipped = manifestFiles().flatMap(
          (f) => loadAll(read(`temporal-compose/kubernetes/${f}`)) as Patched[],
        );
        for (const p of patched) {
          const target = shipped.find((s) => s?.kind === p.kind && s.metadata.name === p.metadata.name);
          assert.ok(target, `${dir} patches ${p.kind} ${p.metadata.name}, which the manifests do not define`);
          for (const c of p.spec.template?.spec.containers ?? []) {
            const names = target.spec.template!.spec.containers.map((t) => t.name);
            assert.ok(names.includes(c.name), `${p.metadata.name} has no container "${c.name}"`);
          }
        }
      });

      it('runs the API and video replicas the model gives, one core each', () => {
        const api = find('Deployment', 'floodgate-api');
        assert.equal(api.spec.replicas, leadingNumber(sizesRow('API replicas')[column]!));
        const videos = leadingNumber(sizesRow('video worker processes')[column]!);
        assert.equal(find('Deployment', 'floodgate-worker-video').spec.replicas, videos);
        const keda = find('ScaledObject', 'floodgate-worker-video').spec;
        assert.equal(keda.minReplicaCount, videos, 'KEDA starts at what the rate needs');
        assert.equal(keda.maxReplicaCount, 2 * videos, 'and adds up to twice that for a 2× burst');
        for (const p of patched.filter((x) => x.kind === 'Deployment')) {
          for (const c of p.spec.template!.spec.containers) {
            assert.equal(
              c.resources?.requests?.cpu,
              '1',
              `${p.metadata.name}: one core, as the model sizes it`,
            );
          }
        }
      });

      it("sets Temporal's dynamic config as shipped, with the model's workflow cache and four partitions", () => {
        const shipped = load(read('temporal-compose/dynamicconfig/floodgate.yaml')) as Record<
          string,
          unknown
        >;
        const sized = load(read(`temporal-compose/sizes/${dir}/dynamicconfig.yaml`)) as Record<
          string,
          { value: unknown }[]
        >;
        const mib = leadingNumber(sizesRow("history host's workflow cache")[column]!);
        // The shipped file's one partition per task queue suits the 2-core profile only.
        const sizedValues: Record<string, unknown> = {
          'history.hostLevelCacheMaxSizeBytes': mib * 1024 * 1024,
          'matching.numTaskqueueReadPartitions': 4,
          'matching.numTaskqueueWritePartitions': 4,
        };
        for (const [key, value] of Object.entries(sizedValues))
          assert.deepEqual(sized[key], [{ value }], key);
        const asShipped = Object.fromEntries(Object.keys(sizedValues).map((key) => [key, shipped[key]]));
        assert.deepEqual({ ...sized, ...asShipped }, shipped, 'every other key as shipped');
      });
    });
  }
});
