import { freePort, freePortRange } from './free-port.js';

/** Which script a user runs: `npm start` (dev server) or `npm run start:cluster` (PostgreSQL, Temporal server, Web UI server). */
export type StackProfileName = 'dev-server' | 'cluster';

/**
 * Free ports for one throw-away stack of `profile`, as its settings: the API, the Temporal
 * frontend and Web UI, the SMTP sink and the provider; for the cluster also PostgreSQL, the
 * object store, the autoscaler's metrics, and for each of its two Temporal servers (the shared
 * one and the urgent lane's own) ten ports in one range below 32768, frontend last, its metrics on
 * the one before, and a Web UI port.
 */
export async function stackPorts(profile: StackProfileName): Promise<Record<string, string>> {
  const [api, temporal, ui, smtp, provider] = await Promise.all([1, 2, 3, 4, 5].map(() => freePort()));
  const ports: Record<string, string> = {
    PORT: String(api),
    TEMPORAL_PORT: String(temporal),
    TEMPORAL_UI_PORT: String(ui),
    SMTP_SINK_PORT: String(smtp),
    PROVIDER_SIM_PORT: String(provider),
  };
  if (profile === 'cluster') {
    const [postgres, objectStore, autoscaler, urgentUi] = await Promise.all(
      [1, 2, 3, 4].map(() => freePort()),
    );
    const base = await freePortRange(10);
    const urgentBase = await freePortRange(10);
    Object.assign(ports, {
      TEMPORAL_PORT: String(base + 9),
      CLUSTER_PORT_BASE: String(base),
      URGENT_TEMPORAL_PORT: String(urgentBase + 9),
      CLUSTER_URGENT_PORT_BASE: String(urgentBase),
      URGENT_TEMPORAL_UI_PORT: String(urgentUi),
      CLUSTER_POSTGRES_PORT: String(postgres),
      CLUSTER_OBJECT_STORE_PORT: String(objectStore),
      // Its own, not the default: a stack elsewhere on the machine may hold that one.
      AUTOSCALE_METRICS_PORT: String(autoscaler),
    });
  }
  return ports;
}

/** The cluster's Temporal server exports its metrics on the port before its frontend's. */
export function clusterServerMetricsPort(ports: Record<string, string>): number {
  return Number(ports.CLUSTER_PORT_BASE) + 8;
}

/** The same for the urgent lane's own server. */
export function urgentServerMetricsPort(ports: Record<string, string>): number {
  return Number(ports.CLUSTER_URGENT_PORT_BASE) + 8;
}
