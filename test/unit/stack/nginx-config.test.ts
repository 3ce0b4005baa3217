import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { load } from 'js-yaml';
import { findNginx } from '../../../src/stack/load-balancer.js';
import { mainConfig, NGINX_TEMPLATE, renderSite } from '../../../src/stack/nginx-config.js';

interface ComposeService {
  ports?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
}

const composeFile = new URL('../../../temporal-compose/docker-compose.yml', import.meta.url).pathname;

/**
 * The load balancer's one template: what start:cluster renders is a configuration the real
 * nginx accepts, and docker-compose.yml runs its nginx on the same file with every variable set.
 */
describe('nginx configuration (deploy/nginx/floodgate.conf.template)', () => {
  const compose = load(readFileSync(composeFile, 'utf8')) as { services: Record<string, ComposeService> };
  const template = readFileSync(NGINX_TEMPLATE, 'utf8');

  it("start:cluster's rendering passes nginx -t, one upstream server per replica", function () {
    const prefix = mkdtempSync(join(tmpdir(), 'floodgate-nginx-'));
    try {
      mkdirSync(join(prefix, 'temp'));
      const site = renderSite({
        listen: '127.0.0.1:18080',
        servers: ['127.0.0.1:18081', '127.0.0.1:18082'],
        bodyLimitBytes: 8 * 1024 * 1024,
      });
      assert.equal(
        site.match(/^\s*server 127\.0\.0\.1:1808[12] max_fails=\d+ fail_timeout=\w+;$/gm)?.length,
        2,
      );
      const file = join(prefix, 'nginx.conf');
      writeFileSync(file, mainConfig(site));
      execFileSync(findNginx(), ['-t', '-q', '-p', `${prefix}/`, '-c', file, '-e', 'stderr'], {
        stdio: 'pipe',
      });
    } finally {
      rmSync(prefix, { recursive: true, force: true });
    }
  });

  it('docker-compose.yml: nginx mounts this template and sets its every variable; the API publishes no host port', () => {
    const lb = compose.services.loadbalancer!;
    const mounted = (lb.volumes ?? []).map((v) => resolve(join(composeFile, '..'), v.split(':')[0]!));
    assert.ok(mounted.includes(NGINX_TEMPLATE), JSON.stringify(lb.volumes));
    const variables = [...new Set([...template.matchAll(/\$\{(FLOODGATE_[A-Z_]+)\}/g)].map((m) => m[1]!))];
    assert.deepEqual(
      variables.filter((v) => !lb.environment?.[v]),
      [],
      'template variables compose does not set',
    );
    assert.deepEqual(lb.ports, ['3000:3000']);
    assert.equal(compose.services.api!.ports, undefined);
  });
});
