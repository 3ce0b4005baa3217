import { freePort, freePortRange } from './free-port.js';

/**
 * Free ports for a throw-away `start:cluster` stack, as its settings: the API, the Web UI,
 * PostgreSQL, the SMTP sink, the provider, the autoscaler's metrics, the object store and the Temporal server's
 * ten (in one range below 32768, frontend last).
 */
export async function clusterTestPorts(): Promise<Record<string, string>> {
  const [api, ui, postgres, smtp, provider, autoscaler, objectStore] = await Promise.all(
    [1, 2, 3, 4, 5, 6, 7].map(() => freePort()),
  );
  const temporalBase = await freePortRange(10);
  return {
    PORT: String(api),
    TEMPORAL_PORT: String(temporalBase + 9),
    TEMPORAL_UI_PORT: String(ui),
    CLUSTER_PORT_BASE: String(temporalBase),
    CLUSTER_POSTGRES_PORT: String(postgres),
    SMTP_SINK_PORT: String(smtp),
    PROVIDER_SIM_PORT: String(provider),
    AUTOSCALE_METRICS_PORT: String(autoscaler),
    CLUSTER_OBJECT_STORE_PORT: String(objectStore),
  };
}

/** The environment of a throw-away `start:cluster` stack from code: its ports, DATA_DIR, quiet logs, no outside cluster. */
export async function clusterTestEnv(dataDir: string): Promise<Record<string, string>> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    TEMPORAL_ADDRESS: '',
    DATA_DIR: dataDir,
    ...(await clusterTestPorts()),
  };
}
