import { ConfigError, type Config } from '../config.js';

/**
 * One Temporal server of the cluster profile and what is its own: process names, ports, the two
 * databases it keeps in the profile's PostgreSQL, its history shards and its Web UI. The profile
 * runs the shared server, and with STACK_URGENT_SERVER=own a second one that carries the urgent
 * lane alone, so a reset's tasks never wait in the same server process as a video burst's.
 */
export interface TemporalCell {
  /** Supervisor service names of the server and of its Web UI server. */
  service: string;
  uiService: string;
  frontendPort: number;
  /** First of the nine ports for its internal services and metrics. */
  portBase: number;
  uiPort: number;
  databases: { main: string; visibility: string };
  /** Fixed for the life of its database. */
  historyShards: number;
  /** The namespace its Web UI opens on. */
  namespace: string;
}

/** The server every lane shares (the only one unless STACK_URGENT_SERVER=own). */
export function sharedCell(config: Config): TemporalCell {
  return {
    service: 'temporal',
    uiService: 'temporal-ui',
    frontendPort: config.temporal.devServerPort,
    portBase: config.cluster.portBase,
    uiPort: config.temporal.uiPort,
    databases: { main: 'temporal', visibility: 'temporal_visibility' },
    historyShards: 8,
    namespace: config.temporal.namespace,
  };
}

/**
 * The urgent lane's own server, when the profile runs one: STACK_URGENT_SERVER=own and no
 * URGENT_TEMPORAL_ADDRESS (a server the user runs elsewhere wins). Password resets alone need few
 * shards; two keep a shard's restart from stalling every reset at once.
 */
export function urgentCell(config: Config): TemporalCell | undefined {
  if (!config.stack.ownUrgentServer || config.temporal.urgentAddress) return undefined;
  return {
    service: 'temporal-urgent',
    uiService: 'temporal-ui-urgent',
    frontendPort: config.temporal.urgentDevServerPort,
    portBase: config.cluster.urgentPortBase,
    uiPort: config.temporal.urgentUiPort,
    databases: { main: 'temporal_urgent', visibility: 'temporal_urgent_visibility' },
    historyShards: 2,
    namespace: config.temporal.urgentNamespace ?? config.temporal.namespace,
  };
}

/** A server's ports: the frontend's own, the rest from its port base up. */
export function cellPorts(cell: TemporalCell) {
  const base = cell.portBase;
  return {
    frontend: cell.frontendPort,
    frontendMembership: base,
    frontendHttp: base + 1,
    history: base + 2,
    historyMembership: base + 3,
    matching: base + 4,
    matchingMembership: base + 5,
    worker: base + 6,
    workerMembership: base + 7,
    metrics: base + 8,
  };
}

/** The server records its services' ports in a PostgreSQL smallint column. */
export function assertCellPorts(cell: TemporalCell, frontendSetting: string, baseSetting: string): void {
  if (cell.frontendPort > 32767) {
    throw new ConfigError(
      `invalid configuration:\n  ${frontendSetting}: the cluster profile needs a port below 32768 (got ${cell.frontendPort})`,
    );
  }
  if (cell.portBase > 32759) {
    throw new ConfigError(
      `invalid configuration:\n  ${baseSetting}: must be at most 32759 (nine ports below 32768; got ${cell.portBase})`,
    );
  }
}
