import { join } from 'node:path';
import type { Config } from '../config.js';
import type { ServiceSpec } from '../stack/supervisor.js';
import type { ClusterBinaries } from './cluster-binaries.js';
import { LOCAL_SERVER_NAME } from './cluster-tls.js';
import { assertCellPorts, cellPorts, sharedCell, type TemporalCell } from './temporal-cells.js';

/** temporal-compose/ holds the server, dynamic-config and UI files; docker-compose.yml mounts the same ones. */
export const COMPOSE_DIR = new URL('../../temporal-compose/', import.meta.url).pathname;

/** The shared Temporal server's ports: the frontend on TEMPORAL_PORT, the rest from CLUSTER_PORT_BASE up. */
export function clusterPorts(config: Config) {
  const cell = sharedCell(config);
  assertCellPorts(cell, 'TEMPORAL_PORT', 'CLUSTER_PORT_BASE');
  return cellPorts(cell);
}

/**
 * Every service (frontend, history, matching, worker) of one server in one process, on loopback,
 * mTLS on (`tlsDir`); the shared server unless `cell` names another.
 */
export function temporalServerService(
  config: Config,
  binaries: ClusterBinaries,
  tlsDir: string,
  cell: TemporalCell = sharedCell(config),
): ServiceSpec {
  const ports = cellPorts(cell);
  // The profiler, when asked for: the shared server's on the setting's port, the urgent lane's next to it.
  const pprofBase = config.cluster.serverPprofPort;
  const pprofPort = pprofBase && pprofBase + (cell.service === sharedCell(config).service ? 0 : 1);
  return {
    name: cell.service,
    command: binaries.server,
    args: ['--root', COMPOSE_DIR, '--config', 'temporal', '--env', 'floodgate', 'start'],
    cwd: config.cluster.dir,
    env: {
      TEMPORAL_LOG_LEVEL: 'warn',
      POSTGRES_HOST: '127.0.0.1',
      POSTGRES_PORT: String(config.cluster.postgresPort),
      POSTGRES_USER: 'temporal',
      POSTGRES_PASSWORD: '',
      TEMPORAL_DB: cell.databases.main,
      TEMPORAL_VISIBILITY_DB: cell.databases.visibility,
      TEMPORAL_HISTORY_SHARDS: String(cell.historyShards),
      TEMPORAL_BIND_IP: '127.0.0.1',
      TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
      TEMPORAL_FRONTEND_PORT: String(ports.frontend),
      TEMPORAL_FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
      TEMPORAL_FRONTEND_HTTP_PORT: String(ports.frontendHttp),
      TEMPORAL_HISTORY_PORT: String(ports.history),
      TEMPORAL_HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
      TEMPORAL_MATCHING_PORT: String(ports.matching),
      TEMPORAL_MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
      TEMPORAL_WORKER_PORT: String(ports.worker),
      TEMPORAL_WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
      TEMPORAL_METRICS_PORT: String(ports.metrics),
      // Less CPU on garbage collection for more heap (CLUSTER_SERVER_GOGC); GOGC in the
      // environment that started the stack does not reach the servers.
      GOGC: String(config.cluster.serverGogc),
      TEMPORAL_PPROF_PORT: String(pprofPort),
      TEMPORAL_DYNAMIC_CONFIG_FILE:
        config.cluster.dynamicConfigFile ?? join(COMPOSE_DIR, 'dynamicconfig', 'floodgate.yaml'),
      ...serverTlsEnv(tlsDir),
    },
  };
}

/** A server's Web UI server (the shared one's on TEMPORAL_UI_PORT), decrypting payloads through the API's /codec. */
export function uiServerService(
  config: Config,
  binaries: ClusterBinaries,
  temporalAddress: string,
  tlsDir: string,
  cell: TemporalCell = sharedCell(config),
): ServiceSpec {
  return {
    name: cell.uiService,
    command: binaries.uiServer,
    args: ['--root', COMPOSE_DIR, '--config', 'ui', '--env', 'floodgate', 'start'],
    cwd: config.cluster.dir,
    env: {
      TEMPORAL_UI_HOST: '127.0.0.1',
      TEMPORAL_UI_PORT: String(cell.uiPort),
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: cell.namespace,
      TEMPORAL_UI_PUBLIC_URL: `http://127.0.0.1:${cell.uiPort}`,
      TEMPORAL_CODEC_ENDPOINT: `http://127.0.0.1:${config.api.port}/codec`,
      ...serverTlsEnv(tlsDir),
    },
  };
}

/** Where the server and UI configs find the TLS files, and the name they check the server by. */
function serverTlsEnv(tlsDir: string): Record<string, string> {
  return { TEMPORAL_TLS_DIR: tlsDir, TEMPORAL_TLS_SERVER_NAME: LOCAL_SERVER_NAME };
}
