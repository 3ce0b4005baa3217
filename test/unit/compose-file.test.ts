import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import type { ClusterBinaries } from '../../src/cluster/cluster-binaries.js';
import { COMPOSE_DIR, temporalServerService, uiServerService } from '../../src/cluster/temporal-server.js';
import { urgentCell } from '../../src/cluster/temporal-cells.js';
import { URGENT_NAMESPACE } from '../../src/stack/cluster-stack.js';
import { NGINX_TEMPLATE } from '../../src/stack/nginx-config.js';
import type { ServiceSpec } from '../../src/stack/supervisor.js';
import { filledComposeEnv, readEnvFile } from '../support/compose-env.js';
import { loadComposeProject, type ComposeProject } from '../support/compose-project.js';

const composeFile = join(COMPOSE_DIR, 'docker-compose.yml');
const tlsDir = join(COMPOSE_DIR, 'tls');
/** The services that speak to Temporal's frontend, which requires a client certificate. */
const TEMPORAL_CLIENTS = [
  'temporal',
  'temporal-urgent',
  'temporal-ui',
  'temporal-ui-urgent',
  'api',
  'worker-urgent',
  'worker-video',
];
const FLOODGATE_SERVICES = ['api', 'worker-urgent', 'worker-video'];

/** The folder a `--root R --config C` server start reads its config from, as the cluster profile runs it. */
function configDir(spec: ServiceSpec): string {
  const arg = (flag: string) => spec.args![spec.args!.indexOf(flag) + 1]!;
  return join(arg('--root'), arg('--config'));
}

/** The host folders or files a compose service bind-mounts. */
function bindSources(project: ComposeProject, service: string): string[] {
  return (project.services[service]?.volumes ?? []).filter((v) => v.type === 'bind').map((v) => v.source!);
}

/**
 * docker-compose.yml, read by the Compose Specification's reference parser (compose-go), not by
 * a YAML reader: what it checks is what `docker compose` would run, with `.env.example`'s keys
 * filled in as an operator would.
 */
describe('docker-compose.yml, parsed by the reference compose parser', function () {
  // A cold Go build of the parser takes a minute on two cores; later runs reuse Go's build cache.
  this.timeout(300_000);
  let project: ComposeProject;
  const example = readEnvFile(join(COMPOSE_DIR, '.env.example'));
  const filled = filledComposeEnv(example);
  const config = loadConfig({ NODE_ENV: 'test' });
  const binaries = { server: 'temporal-server', uiServer: 'ui-server' } as ClusterBinaries;

  before(async () => {
    project = await loadComposeProject(composeFile, filled);
  });

  it('refuses to start without a required setting, naming it', async () => {
    const withoutSmtp = Object.fromEntries(Object.entries(filled).filter(([k]) => k !== 'SMTP_URL'));
    await assert.rejects(loadComposeProject(composeFile, withoutSmtp), /SMTP_URL/);
  });

  it('publishes no fixed host port on a replicated service', () => {
    for (const [name, service] of Object.entries(project.services)) {
      if ((service.deploy?.replicas ?? 1) <= 1) continue;
      const fixed = (service.ports ?? []).filter((p) => p.published);
      assert.deepEqual(fixed, [], `${name} has ${service.deploy!.replicas} replicas and a fixed host port`);
    }
  });

  it('puts the API replicas behind the load balancer, on the cluster profile’s nginx template', () => {
    const lb = project.services.loadbalancer!;
    assert.deepEqual(bindSources(project, 'loadbalancer'), [NGINX_TEMPLATE]);
    assert.deepEqual(
      (lb.ports ?? []).map((p) => p.target),
      [3000],
    );
    assert.ok((project.services.api!.deploy?.replicas ?? 1) >= 2, 'at least two API replicas');
  });

  it('binds both Web UIs (write actions on, no login) to loopback only', () => {
    for (const name of ['temporal-ui', 'temporal-ui-urgent']) {
      const ui = project.services[name]!;
      assert.ok((ui.ports ?? []).length > 0, `${name} is published`);
      for (const port of ui.ports ?? []) {
        assert.equal(
          port.host_ip,
          '127.0.0.1',
          `${name} published on ${port.host_ip ?? 'every interface'}:${port.published}`,
        );
      }
    }
  });

  it("runs the urgent lane on a server of its own, on the cluster profile's databases and shards for it", () => {
    const cell = urgentCell(loadConfig({ NODE_ENV: 'test', STACK_URGENT_SERVER: 'own' }))!;
    const spec = temporalServerService(config, binaries, tlsDir, cell);
    const env = project.services['temporal-urgent']!.environment ?? {};
    for (const key of ['TEMPORAL_DB', 'TEMPORAL_VISIBILITY_DB', 'TEMPORAL_HISTORY_SHARDS'])
      assert.equal(env[key], spec.env![key], `temporal-urgent ${key}`);
    assert.deepEqual(bindSources(project, 'temporal-urgent'), bindSources(project, 'temporal'));
    for (const name of FLOODGATE_SERVICES) {
      const appEnv = project.services[name]!.environment ?? {};
      assert.equal(appEnv.URGENT_TEMPORAL_ADDRESS, 'temporal-urgent:7233', name);
      assert.equal(appEnv.URGENT_TEMPORAL_NAMESPACE, URGENT_NAMESPACE, name);
    }
  });

  it("mounts the cluster profile's own server, dynamic-config and UI files", () => {
    const server = temporalServerService(config, binaries, tlsDir);
    const ui = uiServerService(config, binaries, '127.0.0.1:7233', tlsDir);
    const dynamicConfigDir = join(server.env!.TEMPORAL_DYNAMIC_CONFIG_FILE!, '..');
    const temporal = bindSources(project, 'temporal');
    for (const dir of [configDir(server), dynamicConfigDir])
      assert.ok(temporal.includes(dir), `temporal mounts ${dir}`);
    assert.ok(
      bindSources(project, 'temporal-ui').includes(configDir(ui)),
      `temporal-ui mounts ${configDir(ui)}`,
    );
  });

  it('gives every Temporal client the TLS material, and Floodgate its paths in the standard settings', () => {
    for (const name of TEMPORAL_CLIENTS) {
      assert.ok(bindSources(project, name).includes(tlsDir), `${name} mounts ${tlsDir}`);
    }
    for (const name of FLOODGATE_SERVICES) {
      const env = project.services[name]!.environment ?? {};
      for (const key of [
        'TEMPORAL_TLS_CLIENT_CERT_PATH',
        'TEMPORAL_TLS_CLIENT_KEY_PATH',
        'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
      ]) {
        assert.match(String(env[key]), /^\/etc\/temporal\/tls\//, `${name} ${key}`);
      }
    }
  });

  it('stores videos in the object store service, with its keys', () => {
    assert.ok(project.services['object-store'], 'an object-store service');
    for (const name of FLOODGATE_SERVICES) {
      const env = project.services[name]!.environment ?? {};
      assert.equal(env.STORAGE_BACKEND, 's3', name);
      assert.equal(env.S3_ENDPOINT, 'http://object-store:7070', name);
      assert.equal(env.S3_ACCESS_KEY_ID, filled.S3_ACCESS_KEY_ID, name);
    }
  });
});
