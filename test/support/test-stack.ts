import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkerOptions } from '@temporalio/worker';
import { createApp } from '../../src/api/app.js';
import { createApiMetrics } from '../../src/api/metrics.js';
import { loadConfig, type Config, type Env } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { connectClient } from '../../src/temporal/client.js';
import type { DevServer } from '../../src/temporal/dev-server.js';
import { waitForPollers } from '../../src/temporal/lane-pollers.js';
import { createLaneWorker } from '../../src/workers/lane-worker.js';
import { startSimulatedProvider, type SimulatedProvider } from '../../dev/provider/simulated-provider.js';
import { startSmtpSink, type SmtpSink } from '../../dev/smtp-sink/smtp-sink.js';
import { startLocalServices } from './local-services.js';
import { projectWorkflowBundle } from './workflow-bundle.js';

export type LaneName = 'urgent' | 'video' | 'shared';

/** A lane worker's `run()` ended with an error: the stack under test lost a lane. */
export class LaneWorkerCrashed extends Error {
  constructor(lane: LaneName, cause: unknown) {
    super(`lane worker "${lane}" crashed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'LaneWorkerCrashed';
  }
}

/**
 * Thrown outside any promise chain, so mocha's uncaught-error handler fails the test that is
 * running (with this cause), instead of the test going on against a stack without the lane.
 */
function failRunningTest(lane: LaneName, cause: unknown): void {
  process.nextTick(() => {
    throw new LaneWorkerCrashed(lane, cause);
  });
}

export interface TestStackOptions {
  /** Environment overrides, as a user would set them. */
  env?: Partial<Record<keyof Env, string>>;
  /** Which lane workers to run in-process (default: urgent and video). */
  lanes?: LaneName[];
  /** Worker option overrides per lane (slots, task queue…). */
  workerOverrides?: Partial<Record<LaneName, Partial<WorkerOptions>>>;
  /** Start the simulated ML provider (default true). */
  provider?: boolean;
  /** The size of every video the simulated provider serves (its default: 64 KiB). */
  providerFileBytes?: number;
}

export interface TestStack {
  config: Config;
  /** The environment the stack's config was read from: hand it to a worker or API child process. */
  env: Record<string, string>;
  client: Client;
  devServer: DevServer;
  /** The dev server's Prometheus page (what the server itself counted and timed). */
  devServerMetricsUrl: string;
  apiUrl: string;
  apiKey: string;
  providerUrl: string;
  provider?: SimulatedProvider;
  smtp: SmtpSink;
  dataDir: string;
  workers: Map<LaneName, Worker>;
  /** Starts (or restarts) one lane's worker in-process. */
  startWorker(lane: LaneName, overrides?: Partial<WorkerOptions>): Promise<Worker>;
  /** Shuts one lane's worker down and waits until it has stopped. */
  stopWorker(lane: LaneName): Promise<void>;
  /** `fetch` against the API with the test API key. */
  api(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * The real stack for integration tests, on free ports: a Temporal dev server (a real child
 * process), the SMTP sink over real TCP, the simulated provider over real HTTP, the Koa API
 * listening on a real socket, and one worker per lane. Call `stop()` in `after` — it also runs
 * when start-up fails halfway.
 */
export async function startTestStack(opts: TestStackOptions = {}): Promise<TestStack> {
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        console.error('test stack cleanup failed:', err);
      }
    }
    cleanups.length = 0;
  };
  try {
    const {
      dataDir,
      devServer,
      devServerMetricsUrl,
      ports,
      env: serviceEnv,
    } = await startLocalServices(cleanups, 'floodgate-test-');
    const { api: apiPort, smtp: smtpPort, provider: providerPort } = ports;
    const env: Record<string, string> = { NODE_ENV: 'test', LOG_LEVEL: 'warn', ...serviceEnv, ...opts.env };
    const config = loadConfig(env);
    const log = createLogger('test', config.logLevel);

    const smtp = await startSmtpSink({ port: smtpPort, dir: join(dataDir, 'mail') });
    cleanups.push(() => smtp.stop());

    let provider: SimulatedProvider | undefined;
    if (opts.provider !== false) {
      provider = await startSimulatedProvider({
        port: providerPort,
        apiToken: config.provider.apiToken,
        webhookSecret: config.webhooks.replicateSecrets[0]!,
        fileSizeBytes: opts.providerFileBytes,
      });
      const started = provider;
      cleanups.push(() => started.stop());
    }

    const client = await connectClient(config);
    cleanups.push(() => client.connection.close());

    const app = createApp({ config, client, log, metrics: createApiMetrics() });
    const server: Server = app.listen(apiPort, '127.0.0.1');
    await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );

    const connection = await NativeConnection.connect({ address: devServer.address });
    const workers = new Map<LaneName, Worker>();
    const running = new Map<LaneName, Promise<void>>();
    const workflowBundle = await projectWorkflowBundle();

    async function startWorker(lane: LaneName, overrides: Partial<WorkerOptions> = {}): Promise<Worker> {
      const worker = await createLaneWorker({
        config,
        log,
        connection,
        lane,
        overrides: { workflowBundle, ...opts.workerOverrides?.[lane], ...overrides },
      });
      workers.set(lane, worker);
      running.set(
        lane,
        worker.run().catch((err: unknown) => failRunningTest(lane, err)),
      );
      return worker;
    }
    async function stopWorker(lane: LaneName): Promise<void> {
      const worker = workers.get(lane);
      if (!worker) return;
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.get(lane);
      workers.delete(lane);
      running.delete(lane);
    }
    cleanups.push(async () => {
      await Promise.all([...workers.keys()].map((lane) => stopWorker(lane)));
      await connection.close();
    });
    for (const lane of opts.lanes ?? ['urgent', 'video']) await startWorker(lane);
    // Ready means ready here too: the server sees every lane's pollers before a test sends work.
    await Promise.all(
      [...workers.values()].map((w) =>
        waitForPollers(client, config.temporal.namespace, w.options.taskQueue, 60_000),
      ),
    );

    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const apiKey = config.api.apiKeys[0]!;
    const api = (path: string, init: RequestInit & { json?: unknown } = {}) => {
      const headers = new Headers(init.headers);
      if (!headers.has('authorization')) headers.set('authorization', `Bearer ${apiKey}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      }
      return fetch(`${apiUrl}${path}`, { ...init, headers, body });
    };

    return {
      config,
      env,
      client,
      devServer,
      devServerMetricsUrl,
      apiUrl,
      apiKey,
      providerUrl: `http://127.0.0.1:${providerPort}`,
      provider,
      smtp,
      dataDir,
      workers,
      startWorker,
      stopWorker,
      api,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
