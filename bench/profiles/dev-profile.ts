import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMPOSE_DIR } from '../../src/cluster/temporal-server.js';
import { loadConfig } from '../../src/config.js';
import { TASK_QUEUES } from '../../src/shared/task-queues.js';
import { connectClient } from '../../src/temporal/client.js';
import { startDevServer } from '../../src/temporal/dev-server.js';
import { freePort, freePortRange } from '../../test/support/free-port.js';
import { createChildOutput } from '../child-output.js';
import { waitForHttp, waitForPollers } from '../readiness.js';
import type { ProfileStartOptions, RunningStack, StackProfile } from './stack-profile.js';
import { stackClientTlsEnv } from '../../src/cluster/cluster-tls.js';
import { removePostgresHome } from '../../src/cluster/postgres-home.js';

const root = new URL('../../', import.meta.url).pathname;

/**
 * The default stack exactly as `npm start` runs it: the same entry (src/stack/start.ts), so the
 * same dev server on a SQLite file, the same SMTP sink process writing `.eml` files, the same
 * worker entries and settings. Only the ports and DATA_DIR differ, so it never meets a stack
 * someone else is running.
 */
export const devProfile: StackProfile = {
  name: 'dev server (npm start)',
  start: (opts) => startDevStack(opts, false),
};

/** Lever A/B: `npm start` with video work and the provider simulator at normal priority. */
export const devNoNiceProfile: StackProfile = {
  name: 'dev server, STACK_BACKGROUND_NICE=0 (lever off)',
  start: (opts) => startDevStack(opts, false, false, { STACK_BACKGROUND_NICE: '0' }),
};

/** Lever A/B: `npm start` with eager activity dispatch turned off on its dev server. */
export const devNoEagerProfile: StackProfile = {
  name: 'dev server, eager activity dispatch off (lever off)',
  start: (opts) =>
    startDevStack(opts, false, false, {
      TEMPORAL_DEV_SERVER_ARGS: '--dynamic-config-value system.enableActivityEagerExecution=false',
    }),
};

/**
 * Experiment, not a way to run Floodgate: `npm start` with no video worker. The webhooks still
 * arrive and start or signal their jobs, but no job runs, so the gap between this and
 * `devProfile` is what processing the video work (its workers and the server's work for them)
 * costs the acks and the resets.
 */
export const devNoVideoLaneProfile: StackProfile = {
  name: 'dev server, no video worker (experiment)',
  start: (opts) =>
    startDevStack(opts, false, false, { STACK_VIDEO_LANE: 'off', READY_TASK_QUEUES: 'urgent' }),
};

/**
 * `npm start` with STACK_URGENT_SERVER=own: the urgent lane on a second dev server of its own,
 * so a reset's tasks never queue behind the video jobs' inside Temporal. The resets' histories
 * are read from that server.
 */
export const devOwnUrgentServerProfile: StackProfile = {
  name: 'dev server, urgent lane on a dev server of its own (STACK_URGENT_SERVER=own)',
  async start(opts) {
    const [port, uiPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const stack = await startDevStack(opts, false, false, {
      STACK_URGENT_SERVER: 'own',
      URGENT_TEMPORAL_PORT: String(port),
      URGENT_TEMPORAL_UI_PORT: String(uiPort),
      URGENT_TEMPORAL_DEV_SERVER_ARGS: `--metrics-port ${metricsPort}`,
    });
    const urgentServer = {
      temporalAddress: `127.0.0.1:${port}`,
      serverMetricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    };
    return { ...stack, resets: { ...stack, ...urgentServer } };
  },
};

/**
 * The production shape as `npm run start:cluster` runs it (its own entry): PostgreSQL, the
 * Temporal server with 8 history shards, its Web UI server, the same app processes, and the
 * video lane under the autoscaler.
 */
export const clusterProfile: StackProfile = {
  name: 'Temporal on PostgreSQL (npm run start:cluster)',
  start: (opts) => startDevStack(opts, false, true),
};

/**
 * Lever A/B: the cluster profile with a budget for the video namespace in the server's dynamic
 * config (`frontend.namespaceRPS` 150/s for `default`), which the shipped file leaves unset.
 */
export const clusterVideoBudgetProfile: StackProfile = {
  name: 'Temporal on PostgreSQL, video namespace budget 150/s (lever on)',
  start: (opts) => {
    const shipped = readFileSync(join(COMPOSE_DIR, 'dynamicconfig', 'floodgate.yaml'), 'utf8');
    const file = join(mkdtempSync(join(tmpdir(), 'floodgate-bench-dc-')), 'dynamicconfig.yaml');
    writeFileSync(file, `${shipped}\n${videoNamespaceBudget(150)}`);
    return startDevStack(opts, false, true, { CLUSTER_DYNAMIC_CONFIG_FILE: file });
  },
};

/**
 * Lever A/B: the cluster profile with webhook admission control on (`WEBHOOK_ADMISSION`), so a
 * burst the machine cannot carry is answered 503 + Retry-After at the API instead of queueing
 * inside the Temporal server that the resets share.
 */
export const clusterAdmissionProfile: StackProfile = {
  name: 'Temporal on PostgreSQL, webhook admission control on (lever on)',
  start: (opts) => startDevStack(opts, false, true, { WEBHOOK_ADMISSION: 'true' }),
};

/**
 * Lever A/B: the cluster profile with STACK_URGENT_SERVER=own, the urgent lane on a second
 * Temporal server of the profile's own (same PostgreSQL and mTLS). The resets' histories and
 * server metrics are read from that server.
 */
export const clusterOwnUrgentServerProfile: StackProfile = {
  name: 'Temporal on PostgreSQL, urgent lane on a server of its own (STACK_URGENT_SERVER=own)',
  async start(opts) {
    const [base, uiPort] = [await freePortRange(10), await freePort()];
    const stack = await startDevStack(opts, false, true, {
      STACK_URGENT_SERVER: 'own',
      URGENT_TEMPORAL_PORT: String(base + 9),
      CLUSTER_URGENT_PORT_BASE: String(base),
      URGENT_TEMPORAL_UI_PORT: String(uiPort),
    });
    const urgentServer = {
      temporalAddress: `127.0.0.1:${base + 9}`,
      serverMetricsUrl: `http://127.0.0.1:${base + 8}/metrics`,
    };
    return { ...stack, resets: { ...stack, ...urgentServer } };
  },
};

/** A dynamic-config entry giving the video lane's namespace (`default`) a frontend budget. */
export function videoNamespaceBudget(requestsPerSecond: number): string {
  return `frontend.namespaceRPS:\n  - value: ${requestsPerSecond}\n    constraints:\n      namespace: default\n`;
}

/**
 * Experiment, not a way to run Floodgate: the same `npm start`, pointed (TEMPORAL_ADDRESS) at a
 * dev server without a database file, as the earlier bench ran it. The gap between this and
 * `devProfile` is what keeping every acknowledged event on disk costs.
 */
export const devInMemoryProfile: StackProfile = {
  name: 'dev server in memory (experiment)',
  start: (opts) => startDevStack(opts, true),
};

/**
 * A profile run from another checkout of Floodgate (the baseline of an A/B): the same bench,
 * ports and measurements, the stack's own code as it was at that commit.
 */
export function checkoutProfile(base: StackProfile, checkoutRoot: string, label: string): StackProfile {
  const cluster = base === clusterProfile;
  if (!cluster && base !== devProfile) throw new Error('only dev and cluster run from another checkout');
  return {
    name: `${base.name} at ${label}`,
    start: (opts) => startDevStack(opts, false, cluster, {}, checkoutRoot),
  };
}

async function startDevStack(
  opts: ProfileStartOptions,
  inMemory: boolean,
  cluster = false,
  leverEnv: Record<string, string> = {},
  stackRoot = root,
): Promise<RunningStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'floodgate-bench-'));
  const [api, devTemporal, ui, provider, smtp, postgres, devMetrics, urgentMetrics, videoMetrics] =
    await Promise.all(Array.from({ length: 9 }, () => freePort()));
  // The cluster's Temporal server keeps its ports below 32768, ten in a row (frontend last).
  const clusterBase = cluster ? await freePortRange(10) : 0;
  const objectStore = cluster ? await freePort() : 0;
  const temporal = cluster ? clusterBase + 9 : devTemporal;
  // The cluster's server exports metrics on the last port of its range; a dev server on its own.
  const serverMetrics = cluster ? clusterBase + 8 : devMetrics!;
  const metricsArgs = ['--metrics-port', String(serverMetrics)];
  const memoryServer = inMemory
    ? await startDevServer({
        port: temporal!,
        extraArgs: metricsArgs,
        onLog: (line) => void (/level=ERROR/.test(line) && opts.log(`[temporal] ${line}`)),
      })
    : undefined;
  const env: Record<string, string> = {
    ...(memoryServer && { TEMPORAL_ADDRESS: memoryServer.address }),
    DATA_DIR: dataDir,
    PORT: String(api),
    TEMPORAL_PORT: String(temporal),
    TEMPORAL_UI_PORT: String(ui),
    PROVIDER_SIM_PORT: String(provider),
    SMTP_SINK_PORT: String(smtp),
    URGENT_WORKER_METRICS_PORT: String(urgentMetrics),
    VIDEO_WORKER_METRICS_PORT: String(videoMetrics),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...leverEnv,
    ...(!cluster &&
      !inMemory && {
        TEMPORAL_DEV_SERVER_ARGS: [
          leverEnv.TEMPORAL_DEV_SERVER_ARGS ?? process.env.TEMPORAL_DEV_SERVER_ARGS ?? '',
          ...metricsArgs,
        ]
          .join(' ')
          .trim(),
      }),
    ...(cluster && {
      CLUSTER_PORT_BASE: String(clusterBase),
      CLUSTER_POSTGRES_PORT: String(postgres),
      CLUSTER_OBJECT_STORE_PORT: String(objectStore),
    }),
  };
  const entry = cluster ? 'src/stack/start-cluster.ts' : 'src/stack/start.ts';
  // Its own process group: a stop reaches the stack's children even if start.ts hangs.
  const child = spawn(process.execPath, ['--import', 'tsx', join(stackRoot, entry)], {
    cwd: stackRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const output = createChildOutput(opts.verbose, opts.log);
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim()) output.print('stack', line);
    });
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failure = exited.then(() => {
    throw new Error(`the stack (${entry}) exited on its own`);
  });
  failure.catch(() => undefined);
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  const onExit = () => killGroup('SIGKILL');
  process.once('exit', onExit);

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => killGroup('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
      killGroup('SIGKILL');
      process.off('exit', onExit);
      await memoryServer?.stop();
      removePostgresHome(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    })());

  try {
    const apiUrl = `http://127.0.0.1:${api}`;
    await Promise.race([failure, waitForHttp(`${apiUrl}/readyz`, 180_000)]);
    // A cluster stack has made its certificates by now: the bench connects with them, as its processes do.
    const clientEnv = { ...env, ...stackClientTlsEnv(dataDir) };
    const config = loadConfig({ ...process.env, ...clientEnv });
    const client = await connectClient(config, `127.0.0.1:${temporal}`);
    try {
      const queues =
        config.lanes.mode === 'shared'
          ? [TASK_QUEUES.shared]
          : [TASK_QUEUES.urgent, ...(config.stack.runsVideoLane ? [TASK_QUEUES.video] : [])];
      const pollers = queues.map((q) => waitForPollers(client, config.temporal.namespace, q, 120_000));
      await Promise.race([failure, Promise.all(pollers)]);
    } finally {
      await client.connection.close();
    }
    return {
      apiUrl,
      apiKey: config.api.apiKeys[0]!,
      providerUrl: `http://127.0.0.1:${provider}`,
      temporalAddress: `127.0.0.1:${temporal}`,
      serverMetricsUrl: `http://127.0.0.1:${serverMetrics}/metrics`,
      namespace: config.temporal.namespace,
      mailDir: join(dataDir, 'mail'),
      env: { ...clientEnv, TEMPORAL_ADDRESS: `127.0.0.1:${temporal}` },
      failure,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
