import type { Server } from 'node:http';
import { loadConfig, wantsStackTraces } from '../config.js';
import { exitOnFailure } from '../exit-on-failure.js';
import { createLogger } from '../logger.js';
import { connectClient, connectUrgentClient } from '../temporal/client.js';
import { createApp } from './app.js';
import { createApiMetrics } from './metrics.js';

/** Reads config, connects to Temporal, listens, and closes gracefully on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('api', config.logLevel);
  const client = await connectClient(config);
  const urgentClient = await connectUrgentClient(config, client);
  const app = createApp({ config, client, urgentClient, log, metrics: createApiMetrics() });
  const server: Server = app.listen(config.api.port, config.api.host);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  // Keep-alive connections from a webhook sender must not outlive the load balancer's.
  server.keepAliveTimeout = 65_000;
  log.info({ port: config.api.port }, 'API listening');

  const shutdown = (signal: string) => {
    log.info({ signal }, 'API shutting down');
    server.close(() => {
      void Promise.allSettled([client.connection.close(), urgentClient.connection.close()]).finally(() =>
        process.exit(0),
      );
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

// A refused configuration: one line per problem; anything else: one line (LOG_LEVEL=debug: its stack).
main().catch(exitOnFailure('api', { oneLine: true, linePerProblem: true, stackTraces: wantsStackTraces() }));
