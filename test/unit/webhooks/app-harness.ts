import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../../src/api/app.js';
import { createApiMetrics, type ApiMetrics } from '../../../src/api/metrics.js';
import { videoWebhookUrl } from '../../../src/api/webhooks/video-webhook-url.js';
import { loadConfig, type Config, type Env } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { freePort } from '../../support/free-port.js';

export interface RunningApp {
  url: string;
  config: Config;
  metrics: ApiMetrics;
  close(): Promise<void>;
}

/**
 * The real Koa app on a real socket. `client` defaults to one whose Temporal address has
 * nothing listening: requests refused before the hand-off never touch it, and those that do
 * reach it see Temporal unreachable.
 */
export async function startApp(
  opts: { env?: Partial<Record<keyof Env, string>>; client?: Client } = {},
): Promise<RunningApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    WEBHOOK_ACK_DEADLINE: '1s',
    ...opts.env,
  });
  const client =
    opts.client ?? new Client({ connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}` }) });
  const metrics = createApiMetrics();
  const app = createApp({ config, client, log: createLogger('test', 'silent'), metrics });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    config,
    metrics,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (!opts.client) await client.connection.close();
    },
  };
}

/** The value of one labelled counter, from the app's own registry. */
export async function counterValue(metrics: ApiMetrics, labels: Record<string, string>): Promise<number> {
  const { values } = await metrics.webhooks.get();
  return (
    values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k as 'source'] === l))?.value ?? 0
  );
}

/** Path and query of the replicate webhook URL the app issues for this video (token included). */
export function webhookPath(
  app: Pick<RunningApp, 'url' | 'config'>,
  videoId: string,
  tenantId = 'acme',
): string {
  const url = new URL(videoWebhookUrl(app.url, app.config.webhooks.urlTokenKeys, videoId, tenantId));
  return `${url.pathname}${url.search}`;
}
