import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMPOSE_DIR } from '../../src/cluster/temporal-server.js';
import { loadConfig, type Config } from '../../src/config.js';
import { TASK_QUEUES } from '../../src/shared/task-queues.js';
import { connectClient } from '../../src/temporal/client.js';
import { startDevServer } from '../../src/temporal/dev-server.js';
import { connect } from 'node:net';
import { freePort } from '../../test/support/free-port.js';
import { launchStack, type LaunchedStack } from '../../test/support/stack-launcher.js';
import { clusterServerMetricsPort, urgentServerMetricsPort } from '../../test/support/stack-ports.js';
import { createChildOutput } from '../child-output.js';
import { waitForHttp, waitForPollers } from '../readiness.js';
import type { ProfileStartOptions, RunningStack, StackProfile } from './stack-profile.js';
import { stackClientTlsEnv } from '../../src/cluster/cluster-tls.js';

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
export const clusterAdmissionProfile: StackProfile = clusterWith(
  'Temporal on PostgreSQL, webhook admission control on (lever on)',
  { WEBHOOK_ADMISSION: 'true' },
);

/**
 * Lever A/B: the cluster profile with one Temporal server for both lanes (STACK_URGENT_SERVER=shared),
 * resets in a namespace of their own there, as the profile ran before the urgent lane had a
 * server of its own.
 */
export const clusterOneServerProfile: StackProfile = clusterWith(
  'Temporal on PostgreSQL, one server for both lanes (STACK_URGENT_SERVER=shared)',
  { STACK_URGENT_SERVER: 'shared' },
);

/**
 * Lever A/B: the cluster profile with each reset mail sent as an activity task
 * (PASSWORD_RESET_MAIL_AS=activity), as the profile ran before mails went inside the workflow task.
 */
export const clusterResetMailTaskProfile: StackProfile = clusterWith(
  'Temporal on PostgreSQL, reset mail as an activity task (PASSWORD_RESET_MAIL_AS=activity)',
  { PASSWORD_RESET_MAIL_AS: 'activity' },
);

/**
 * Lever A/B: the cluster profile with its shared Temporal server (the video lane's and the acks')
 * and that server's PostgreSQL backends at the same priority as the urgent lane's own server and
 * backends (by default they run at niceness 5, below them).
 */
export const clusterVideoServerNice0Profile: StackProfile = clusterWith(
  "Temporal on PostgreSQL, the video lane's server and its backends not niced (STACK_VIDEO_SERVER_NICE=0, lever off)",
  { STACK_VIDEO_SERVER_NICE: '0' },
);

/**
 * Lever A/B: the cluster profile with its Temporal servers on Go's own garbage-collector target
 * (GOGC 100) instead of the profile's CLUSTER_SERVER_GOGC default.
 */
export const clusterServerGogc100Profile: StackProfile = clusterWith(
  "Temporal on PostgreSQL, servers on Go's default GOGC (CLUSTER_SERVER_GOGC=100, lever off)",
  { CLUSTER_SERVER_GOGC: '100' },
);

/**
 * Lever A/B: the cluster profile with every download an activity task (DOWNLOAD_IN_TASK_MAX_BYTES=0),
 * as it ran before a small video was downloaded inside its workflow task.
 */
export const clusterDownloadAsTaskProfile: StackProfile = clusterWith(
  'Temporal on PostgreSQL, every download an activity task (DOWNLOAD_IN_TASK_MAX_BYTES=0, lever off)',
  { DOWNLOAD_IN_TASK_MAX_BYTES: '0' },
);

/** The cluster profile with one or more settings changed: a lever A/B's other side. */
function clusterWith(name: string, leverEnv: Record<string, string>): StackProfile {
  return { name, start: (opts) => startDevStack(opts, false, true, leverEnv) };
}

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
  checkoutRoot?: string,
): Promise<RunningStack> {
  const [devMetrics, urgentMetrics, videoMetrics, memoryPort] = await Promise.all(
    Array.from({ length: 4 }, () => freePort()),
  );
  const memoryServer = inMemory
    ? await startDevServer({
        port: memoryPort!,
        extraArgs: ['--metrics-port', String(devMetrics)],
        onLog: (line) => void (/level=ERROR/.test(line) && opts.log(`[temporal] ${line}`)),
      })
    : undefined;
  const env: Record<string, string> = {
    ...(memoryServer && { TEMPORAL_ADDRESS: memoryServer.address }),
    URGENT_WORKER_METRICS_PORT: String(urgentMetrics),
    VIDEO_WORKER_METRICS_PORT: String(videoMetrics),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...leverEnv,
    // The dev server exports its metrics on a port of its own (the cluster's server on its range).
    ...(!cluster &&
      !inMemory && {
        TEMPORAL_DEV_SERVER_ARGS: [
          leverEnv.TEMPORAL_DEV_SERVER_ARGS ?? process.env.TEMPORAL_DEV_SERVER_ARGS ?? '',
          '--metrics-port',
          String(devMetrics),
        ]
          .join(' ')
          .trim(),
      }),
  };
  const output = createChildOutput(opts.verbose, opts.log);
  try {
    const stack = await launchStack({
      profile: cluster ? 'cluster' : 'dev-server',
      env,
      checkoutRoot,
      dataDirPrefix: 'floodgate-bench-',
      onLine: (line) => output.print('stack', line),
      keepOutput: false,
      // Up when its API is ready and every lane it runs is polled: a checkout's banner may differ.
      waitUntilUp: async (starting) => {
        await waitForHttp(`${starting.apiUrl}/readyz`, 180_000);
        await waitForLanePollers(clientSettings(starting).config, starting.temporalAddress);
      },
    });
    const stop = async () => {
      await stack.stop();
      await memoryServer?.stop();
    };
    const { clientEnv, config } = clientSettings(stack);
    // A cluster stack that runs the urgent lane's own server has its resets there (whatever the
    // code's default was at a checkout's commit): their histories and that server's metrics.
    const urgentPort = Number(stack.env.URGENT_TEMPORAL_PORT);
    const ownUrgentServer = cluster && (await accepts(urgentPort));
    return {
      ...(ownUrgentServer && {
        resets: {
          apiUrl: stack.apiUrl,
          temporalAddress: `127.0.0.1:${urgentPort}`,
          serverMetricsUrl: `http://127.0.0.1:${urgentServerMetricsPort(stack.env)}/metrics`,
          mailDir: stack.mailDir,
        },
      }),
      apiUrl: stack.apiUrl,
      apiKey: config.api.apiKeys[0]!,
      providerUrl: stack.providerUrl,
      temporalAddress: stack.temporalAddress,
      serverMetricsUrl: `http://127.0.0.1:${cluster ? clusterServerMetricsPort(stack.env) : devMetrics}/metrics`,
      namespace: config.temporal.namespace,
      mailDir: stack.mailDir,
      env: { ...clientEnv, TEMPORAL_ADDRESS: stack.temporalAddress },
      failure: stack.failure,
      stop,
    };
  } catch (err) {
    await memoryServer?.stop();
    throw err;
  }
}

/**
 * The settings the bench reads the stack with: its own, and, on a cluster stack, the client
 * certificate it made while starting (the bench connects with it, as its processes do).
 */
function clientSettings(stack: LaunchedStack): { clientEnv: Record<string, string>; config: Config } {
  const clientEnv = { ...stack.env, ...stackClientTlsEnv(stack.dataDir) };
  return { clientEnv, config: loadConfig({ ...process.env, ...clientEnv }) };
}

/** Until every lane the stack runs has a poller on its task queue. */
async function waitForLanePollers(config: Config, temporalAddress: string): Promise<void> {
  const client = await connectClient(config, temporalAddress);
  try {
    const queues =
      config.lanes.mode === 'shared'
        ? [TASK_QUEUES.shared]
        : [TASK_QUEUES.urgent, ...(config.stack.runsVideoLane ? [TASK_QUEUES.video] : [])];
    await Promise.all(queues.map((q) => waitForPollers(client, config.temporal.namespace, q, 120_000)));
  } finally {
    await client.connection.close();
  }
}

/** Whether something listens on 127.0.0.1:`port` (a stack's urgent server, once it is up). */
function accepts(port: number): Promise<boolean> {
  if (!Number.isInteger(port) || port <= 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1_000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
