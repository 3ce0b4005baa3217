import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server.js';
import { freePort } from './free-port.js';

export interface LocalServices {
  dataDir: string;
  devServer: DevServer;
  /** The dev server's Prometheus page. */
  devServerMetricsUrl: string;
  ports: { api: number; smtp: number; provider: number };
  /** The environment that points Floodgate's config at these ports, this server and folder. */
  env: Record<string, string>;
}

/**
 * What every throw-away stack starts with — a temp DATA_DIR, free ports for the API, SMTP sink
 * and provider, and a fresh in-memory dev server — each registered in `cleanups` as it is made,
 * so a failure halfway still tears down what exists.
 */
export async function startLocalServices(
  cleanups: Array<() => Promise<void>>,
  dataDirPrefix: string,
): Promise<LocalServices> {
  const dataDir = mkdtempSync(join(tmpdir(), dataDirPrefix));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  const [temporal, api, smtp, provider, metrics] = await Promise.all(
    Array.from({ length: 5 }, () => freePort()),
  );
  const devServer = await startDevServer({
    port: temporal!,
    extraArgs: ['--metrics-port', String(metrics)],
    onLog: () => undefined,
  });
  cleanups.push(() => devServer.stop());
  return {
    dataDir,
    devServer,
    devServerMetricsUrl: `http://127.0.0.1:${metrics}/metrics`,
    ports: { api: api!, smtp: smtp!, provider: provider! },
    env: {
      TEMPORAL_ADDRESS: devServer.address,
      DATA_DIR: dataDir,
      PORT: String(api),
      SMTP_URL: `smtp://127.0.0.1:${smtp}`,
      SMTP_SINK_PORT: String(smtp),
      PROVIDER_BASE_URL: `http://127.0.0.1:${provider}`,
      PROVIDER_SIM_PORT: String(provider),
      // Worker processes a test spawns export no SDK metrics unless the test gives them a port.
      URGENT_WORKER_METRICS_PORT: '0',
      VIDEO_WORKER_METRICS_PORT: '0',
    },
  };
}
