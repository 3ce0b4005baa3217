import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CODEC_BODY_LIMIT_BYTES } from '../api/routes/codec.js';
import type { Config } from '../config.js';
import { StartupError } from '../startup-error.js';
import { freeLoopbackPort, type StackPort } from './free-ports.js';
import { mainConfig, renderSite } from './nginx-config.js';
import type { ServiceSpec } from './supervisor.js';

/**
 * The cluster profile's API: API_REPLICAS processes on loopback ports, behind nginx on the
 * public PORT. Each replica is a supervised service (`api-1`, `api-2`…) and so is nginx.
 */

export const INSTALL_NGINX =
  'apt-get install -y nginx-light (or, as root: bash scripts/ensure-system-tools.sh)';

export interface ApiReplica {
  name: string;
  port: number;
  /** Where the replica itself answers, its Prometheus `/metrics` included. */
  url: string;
}

/** NGINX_BIN, or nginx on PATH or in Debian's sbin folder; a StartupError naming the install command otherwise. */
export function findNginx(explicit?: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  const candidates = explicit ? [explicit] : dirs.filter(Boolean).map((dir) => join(dir, 'nginx'));
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  const what = explicit ? `nginx not found at ${explicit} (NGINX_BIN)` : 'nginx not found';
  throw new StartupError(`${what}: the cluster profile's load balancer; install it: ${INSTALL_NGINX}`);
}

/** The replicas' ports: derived from API_REPLICA_PORT_BASE, or free loopback ports. */
export async function apiReplicas(config: Config): Promise<ApiReplica[]> {
  const { apiReplicas: count, apiReplicaPortBase: base } = config.cluster;
  const replicas: ApiReplica[] = [];
  for (let n = 1; n <= count; n += 1) {
    const port = base ? base + n - 1 : await freeLoopbackPort();
    replicas.push({ name: `api-${n}`, port, url: `http://127.0.0.1:${port}` });
  }
  return replicas;
}

/** The replicas' ports for the start-up check (free ones were just found free). */
export function replicaPorts(config: Config, replicas: ApiReplica[]): StackPort[] {
  if (!config.cluster.apiReplicaPortBase) return [];
  return replicas.map((r) => ({ setting: 'API_REPLICA_PORT_BASE', port: r.port }));
}

/**
 * Replaces the `api` service with one per replica (on its own loopback port; links and
 * callbacks still name the public address) and adds nginx in front of them.
 */
export function behindLoadBalancer(
  config: Config,
  services: ServiceSpec[],
  replicas: ApiReplica[],
  nginx: string,
): ServiceSpec[] {
  const api = services.find((s) => s.name === 'api');
  if (!api) return services;
  const copies = replicas.map<ServiceSpec>((r) => ({
    ...api,
    name: r.name,
    env: {
      ...api.env,
      PORT: String(r.port),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: config.api.publicBaseUrl,
      // The Web UI calls /codec through nginx with the public port in its Host.
      CODEC_LOOPBACK_HOSTS: config.payloadEncryption.codecLoopbackHosts.join(','),
    },
  }));
  return [...services.filter((s) => s !== api), ...copies, nginxService(config, replicas, nginx)];
}

function nginxService(config: Config, replicas: ApiReplica[], nginx: string): ServiceSpec {
  const prefix = join(config.cluster.dir, 'nginx');
  mkdirSync(join(prefix, 'temp'), { recursive: true });
  const site = renderSite({
    listen: `${config.api.host}:${config.api.port}`,
    servers: replicas.map((r) => `127.0.0.1:${r.port}`),
    bodyLimitBytes: Math.max(config.webhooks.bodyLimitBytes, CODEC_BODY_LIMIT_BYTES),
  });
  const file = join(prefix, 'nginx.conf');
  writeFileSync(file, mainConfig(site));
  // `-e stderr`: nginx opens its compiled-in error log before reading the config otherwise.
  return { name: 'nginx', command: nginx, args: ['-p', `${prefix}/`, '-c', file, '-e', 'stderr'] };
}
