import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { startSmtpSink, type SmtpSink } from '../dev/smtp-sink/smtp-sink.js';
import { loadConfig, type Config } from '../src/config.js';
import { TASK_QUEUES, type LaneMode } from '../src/shared/task-queues.js';
import { Supervisor, type ServiceSpec } from '../src/stack/supervisor.js';
import { connectClient } from '../src/temporal/client.js';
import { startLocalServices } from '../test/support/local-services.js';
import { startChildJob, type ChildJob } from './child-job.js';
import { createChildOutput } from './child-output.js';
import { waitForHttp, waitForPollers } from './readiness.js';

export interface BenchStackOptions {
  laneMode: LaneMode;
  /** How long each synthetic video download holds a video slot. */
  slowDownloadMs: number;
  /** Show every line the children print, not only warnings and errors. */
  verbose: boolean;
  log(line: string): void;
}

export interface BenchStack {
  config: Config;
  /** The bench's own client: queues the backlog, reads queue stats. */
  client: Client;
  /** Receiving side of the mail, in the bench process: its clock stamps arrival. */
  smtp: SmtpSink;
  apiUrl: string;
  providerUrl: string;
  /** Environment every child of this stack runs with. */
  env: Record<string, string>;
  /** Rejects as soon as a child process dies unexpectedly. */
  failure: Promise<never>;
  api(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  /** Runs a finite job (e.g. the storm) in its own process with the stack's environment; `stop()` ends it too. */
  startJob(name: string, entry: string, args: string[]): ChildJob;
  stop(): Promise<void>;
}

const root = new URL('../', import.meta.url).pathname;
/** `stop` of every stack not yet stopped. */
const running = new Set<() => Promise<void>>();

/**
 * One scenario's stack in the shape production runs it: the Temporal dev server, the API, the
 * simulated provider and each lane's worker are separate processes. Dedicated mode runs the real
 * urgent worker (src/workers/urgent.ts) and the bench's video worker; shared mode runs one worker
 * process serving the shared queue with everything. Only the SMTP sink lives in the bench process.
 * `stop()` ends every child, also when start-up fails halfway.
 */
export async function startBenchStack(opts: BenchStackOptions): Promise<BenchStack> {
  const cleanups: Array<() => Promise<void>> = [];
  const runCleanups = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        opts.log(`cleanup failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };
  // Idempotent: a scenario's `finally` and a Ctrl-C may both ask.
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= runCleanups());
  running.add(stop);
  cleanups.push(async () => void running.delete(stop));

  let fail: (err: Error) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => (fail = reject));
  failure.catch(() => undefined);

  try {
    const { devServer, ports, env: serviceEnv } = await startLocalServices(cleanups, 'floodgate-bench-');
    const { api: apiPort, smtp: smtpPort, provider: providerPort } = ports;
    devServer.process.once('exit', (code, signal) =>
      fail(new Error(`Temporal dev server exited (${signal ?? `code ${code}`})`)),
    );

    const env: Record<string, string> = {
      LOG_LEVEL: 'warn',
      LANE_MODE: opts.laneMode,
      ...serviceEnv,
    };
    // Children see the caller's environment too (e.g. URGENT_ACTIVITY_SLOTS); the config is theirs.
    const config = loadConfig({ ...process.env, ...env });

    const smtp = await startSmtpSink({ port: smtpPort });
    cleanups.push(() => smtp.stop());
    const client = await connectClient(config);
    cleanups.push(() => client.connection.close());

    const output = createChildOutput(opts.verbose, opts.log);
    const supervisor = new Supervisor({
      restart: false,
      print: (name, line) => output.print(name, line),
      onFatal: (reason) => fail(new Error(reason)),
    });
    cleanups.push(() => supervisor.stopAll(10_000));
    for (const spec of services(opts, env)) supervisor.start(spec);

    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const providerUrl = `http://127.0.0.1:${providerPort}`;
    const queues =
      opts.laneMode === 'shared' ? [TASK_QUEUES.shared] : [TASK_QUEUES.urgent, TASK_QUEUES.video];
    await Promise.race([
      failure,
      Promise.all([
        waitForHttp(`${apiUrl}/readyz`, 90_000),
        waitForHttp(`${providerUrl}/_sim/stats`, 90_000),
        ...queues.map((q) => waitForPollers(client, config.temporal.namespace, q, 120_000)),
      ]),
    ]);

    const apiKey = config.api.apiKeys[0]!;
    const stack: BenchStack = {
      config,
      client,
      smtp,
      apiUrl,
      providerUrl,
      env,
      failure,
      api: (path, init = {}) => {
        const headers = new Headers(init.headers);
        headers.set('authorization', `Bearer ${apiKey}`);
        if (init.json !== undefined) headers.set('content-type', 'application/json');
        const body = init.json !== undefined ? JSON.stringify(init.json) : init.body;
        return fetch(`${apiUrl}${path}`, { ...init, headers, body });
      },
      startJob: (name, entry, args) => {
        const job = startChildJob(entry, args, env, (line) => output.print(name, line));
        cleanups.push(() => job.stop());
        return job;
      },
      stop,
    };
    return stack;
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Stops every stack still running (Ctrl-C, or a crash between scenarios). */
export async function stopRunningStacks(): Promise<void> {
  await Promise.all([...running].map((stop) => stop()));
}

function services(opts: BenchStackOptions, env: Record<string, string>): ServiceSpec[] {
  const videoWorker: ServiceSpec = {
    name: opts.laneMode === 'shared' ? 'worker-shared' : 'worker-video',
    entry: join(root, 'bench/video-worker.ts'),
    args: ['--download-ms', String(opts.slowDownloadMs)],
    env,
  };
  return [
    { name: 'provider-sim', entry: join(root, 'dev/provider/main.ts'), env },
    { name: 'api', entry: join(root, 'src/api/server.ts'), env },
    ...(opts.laneMode === 'shared'
      ? []
      : [{ name: 'worker-urgent', entry: join(root, 'src/workers/urgent.ts'), env }]),
    videoWorker,
  ];
}
