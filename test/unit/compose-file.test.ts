import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import type { ClusterBinaries } from '../../src/cluster/cluster-binaries.js';
import { COMPOSE_DIR, temporalServerService, uiServerService } from '../../src/cluster/temporal-server.js';
import type { ServiceSpec } from '../../src/stack/supervisor.js';
import { loadComposeProject, type ComposeProject } from '../support/compose-project.js';

const composeFile = join(COMPOSE_DIR, 'docker-compose.yml');

/** The secrets the compose file requires (`${VAR:?}`), as an operator's .env would give them. */
const requiredSecrets = {
  API_KEYS: 'compose-check-key',
  REPLICATE_WEBHOOK_SECRETS: 'whsec_Y29tcG9zZS1jaGVjay1zZWNyZXQtb2YtMzItYnl0ZXMhIQ==',
  GENERIC_WEBHOOK_SECRETS: 'compose-check-generic-secret-of-32-bytes',
  PASSWORD_RESET_ID_KEY: 'compose-check-reset-id-key-of-32-bytes',
  PAYLOAD_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 9).toString('base64')}`,
  SMTP_URL: 'smtps://user:pass@smtp.example.com:465',
};

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
 * a YAML reader: what it checks is what `docker compose` would run.
 */
describe('docker-compose.yml, parsed by the reference compose parser', function () {
  // A cold Go build of the parser takes a minute on two cores; later runs reuse Go's build cache.
  this.timeout(300_000);
  let project: ComposeProject;
  const config = loadConfig({ NODE_ENV: 'test' });
  const binaries = { server: 'temporal-server', uiServer: 'ui-server' } as ClusterBinaries;

  before(async () => {
    project = await loadComposeProject(composeFile, requiredSecrets);
  });

  it('refuses to start without a required secret, naming it', async () => {
    const { SMTP_URL: _omitted, ...withoutSmtp } = requiredSecrets;
    await assert.rejects(loadComposeProject(composeFile, withoutSmtp), /SMTP_URL/);
  });

  it('publishes no fixed host port on a replicated service', () => {
    for (const [name, service] of Object.entries(project.services)) {
      if ((service.deploy?.replicas ?? 1) <= 1) continue;
      const fixed = (service.ports ?? []).filter((p) => p.published);
      assert.deepEqual(fixed, [], `${name} has ${service.deploy!.replicas} replicas and a fixed host port`);
    }
  });

  it('binds the Web UI (write actions on, no login) to loopback only', () => {
    const ui = project.services['temporal-ui']!;
    for (const port of ui.ports ?? []) {
      assert.equal(
        port.host_ip,
        '127.0.0.1',
        `Web UI published on ${port.host_ip ?? 'every interface'}:${port.published}`,
      );
    }
  });

  it("mounts the cluster profile's own server, dynamic-config and UI files", () => {
    const server = temporalServerService(config, binaries);
    const ui = uiServerService(config, binaries, '127.0.0.1:7233');
    const dynamicConfigDir = join(server.env!.TEMPORAL_DYNAMIC_CONFIG_FILE!, '..');
    assert.deepEqual(bindSources(project, 'temporal').sort(), [configDir(server), dynamicConfigDir].sort());
    assert.deepEqual(bindSources(project, 'temporal-ui'), [configDir(ui)]);
  });
});
