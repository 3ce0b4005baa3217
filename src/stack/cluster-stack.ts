import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { clusterBinaries } from '../cluster/cluster-binaries.js';
import { clientTlsEnv, ensureClusterTls } from '../cluster/cluster-tls.js';
import { startObjectStore, usesOwnObjectStore } from '../cluster/object-store.js';
import { ensureNamespace, waitForTemporal, type NamespaceOutcome } from '../cluster/namespace.js';
import { postgresLayout, postgresService, preparePostgres, waitForPostgres } from '../cluster/postgres.js';
import { ensureSchema, type SchemaOutcome } from '../cluster/schema.js';
import { niceBackends } from '../cluster/postgres-backend-nice.js';
import {
  assertCellPorts,
  cellPorts,
  sharedCell,
  urgentCell,
  type TemporalCell,
} from '../cluster/temporal-cells.js';
import { clusterPorts, temporalServerService, uiServerService } from '../cluster/temporal-server.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { StartupError } from '../startup-error.js';
import { connectionOptions, hasCredentials } from '../temporal/connection-options.js';
import { appServices, childEnv, videoLaneServices, waitForApi } from './app-services.js';
import { appPorts, assertPortsFree, type StackPort } from './free-ports.js';
import {
  apiReplicas,
  behindLoadBalancer,
  findNginx,
  replicaPorts,
  type ApiReplica,
} from './load-balancer.js';
import { Supervisor, type ServiceSpec } from './supervisor.js';
import { asUrgentReplicas, urgentWorkers, type UrgentWorker } from './urgent-workers.js';

/** The urgent lane's namespace on the cluster profile (a per-namespace limit would name it). */
export const URGENT_NAMESPACE = 'floodgate-urgent';

/** The cluster's own processes, stopped last and in this order (the app goes before them). */
const INFRA = [
  'object-store',
  'temporal-ui-urgent',
  'temporal-ui',
  'temporal-urgent',
  'temporal',
  'postgres',
];

export interface ClusterStackOptions {
  /** Environment on top of process.env, as a user would set it (ports, DATA_DIR…). */
  env?: Record<string, string>;
  /** Receives every line a service prints, and the stack's own progress lines (service `stack`). */
  print?: (service: string, line: string) => void;
  onCrash?: (service: string, how: string) => void;
  /** The video lane's processes (default: the autoscaler and the workers it runs). */
  videoLane?: (config: Config, env: Record<string, string>) => ServiceSpec[];
  /** Aborting stops the start-up and everything it had started. */
  signal?: AbortSignal;
  /** How long the whole start may take. */
  startTimeoutMs?: number;
}

export interface ClusterStack {
  config: Config;
  temporalAddress: string;
  uiUrl: string;
  /** The urgent lane's own server and its Web UI, when the profile runs one (STACK_URGENT_SERVER=own). */
  urgentServer?: { address: string; uiUrl: string };
  /** What this start did to the schema and the namespace (all `unchanged`/empty on a restart). */
  schema: SchemaOutcome[];
  namespace: NamespaceOutcome;
  postgresCreated: boolean;
  supervisor: Supervisor;
  /** The API's processes behind nginx (services `api-1`…), each with its own `/metrics`. */
  apiReplicas: ApiReplica[];
  /** The urgent lane's worker processes (services `worker-urgent-1`…). */
  urgentWorkers: UrgentWorker[];
  /** Signals one service's current process (e.g. SIGKILL); the supervisor restarts it. Returns its pid. */
  kill(name: string, signal?: NodeJS.Signals): number;
  /** Stops the app first, then the Web UI, Temporal and PostgreSQL. */
  stop(): Promise<void>;
}

/**
 * The production shape, unless the user's settings say otherwise: the video lane follows its
 * backlog, and password resets run in a namespace of their own on a Temporal server of their
 * own, so a video burst keeps neither their workers nor their server busy (measured in
 * docs/performance.md; STACK_URGENT_SERVER=shared runs one server for both lanes).
 */
export function clusterProfileSettings(userEnv: Record<string, string> = {}) {
  return {
    VIDEO_AUTOSCALE: 'on',
    URGENT_TEMPORAL_NAMESPACE: URGENT_NAMESPACE,
    STACK_URGENT_SERVER: 'own',
    STORAGE_BACKEND: 's3',
    ...process.env,
    ...userEnv,
  };
}

/**
 * The cluster profile, started in order: PostgreSQL (database cluster created on first use) →
 * schema → Temporal server → namespace and search attributes → Web UI server → SMTP sink,
 * provider sim, API and lane workers. Every process is supervised and restarted if it dies.
 */
export async function startCluster(opts: ClusterStackOptions = {}): Promise<ClusterStack> {
  const userEnv = opts.env ?? {};
  const settings = clusterProfileSettings(userEnv);
  const asSet = loadConfig(settings);
  if (hasCredentials(asSet)) {
    // Its Temporal server is its own and trusts only the certificates it made: other credentials cannot reach it.
    throw new ConfigError(
      'invalid configuration:\n  TEMPORAL_API_KEY / TEMPORAL_TLS_*: start:cluster runs its own Temporal server ' +
        'with certificates it makes (DATA_DIR/cluster/tls); unset them (and TEMPORAL_CONFIG_FILE) for this profile',
    );
  }
  const print = opts.print ?? (() => undefined);
  const say = (line: string) => print('stack', line);
  // Each wait gives way to an abort at once: a step that never ends (a server that cannot start)
  // must not hold a Ctrl-C until the deadline.
  const step = <T>(work: Promise<T>) => untilAborted(work, opts.signal);
  const deadline = Date.now() + (opts.startTimeoutMs ?? 180_000);
  const binaries = clusterBinaries();
  // The API: API_REPLICAS processes behind nginx on PORT (src/stack/load-balancer.ts).
  const nginx = findNginx(asSet.cluster.nginxBin);
  const replicas = await apiReplicas(asSet);
  const urgentLane = await urgentWorkers(asSet);
  await assertPortsFree([...infraPorts(asSet), ...appPorts(asSet), ...replicaPorts(asSet, replicas)]);
  // Mutual TLS on the cluster's server: certificates made at the first start and reused, handed to
  // every client process as the standard TEMPORAL_TLS_* settings (the same code serves Temporal Cloud).
  const tls = ensureClusterTls(join(asSet.cluster.dir, 'tls'));
  const tlsEnv = clientTlsEnv(tls);
  const config = loadConfig({ ...settings, ...tlsEnv });
  mkdirSync(config.cluster.dir, { recursive: true });
  const layout = postgresLayout(config);
  let stopping = false;
  let backends: { stop(): void } | undefined;
  const crashes = new Map<string, number>();
  const supervisor = new Supervisor({
    restart: true,
    print: (name, line) => {
      if (!stopping) print(name, line);
    },
    onFatal: () => undefined, // restarts are always on here
    onCrash: (name, how) => {
      crashes.set(name, (crashes.get(name) ?? 0) + 1);
      opts.onCrash?.(name, how);
    },
    pidDir: join(config.dataDir, 'run'),
  });

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    backends?.stop();
    const app = supervisor.names().filter((n) => !INFRA.includes(n));
    await Promise.all(app.map((n) => supervisor.stop(n)));
    for (const name of INFRA) await supervisor.stop(name, 30_000);
    await supervisor.stopAll();
  };

  /**
   * The urgent lane's own server: the same binary, mTLS material and PostgreSQL, its own databases
   * and ports, the urgent namespace alone (password resets index nothing) and a Web UI of its own.
   */
  const startUrgentServer = async (cell: TemporalCell): Promise<string> => {
    const address = `127.0.0.1:${cell.frontendPort}`;
    say(`starting the urgent lane's own Temporal server on ${address}…`);
    supervisor.start(temporalServerService(config, binaries, tls.dir, cell));
    const server = connectionOptions(config, address);
    await waitForTemporal(server, deadline);
    const outcome = await ensureNamespace(server, cell.namespace, deadline, []);
    say(`namespace ${cell.namespace} on ${address}: ${outcome.namespaceCreated ? 'registered' : 'found'}`);
    supervisor.start(uiServerService(config, binaries, address, tls.dir, cell));
    return address;
  };

  try {
    say(`TLS certificates ${tls.made.length ? `made (${tls.made.join(', ')})` : 'found'} in ${tls.dir}`);
    const postgresCreated = preparePostgres(layout);
    say(
      `PostgreSQL ${postgresCreated ? 'database cluster created' : 'database cluster found'} in ${layout.dataDir}; ` +
        `starting on 127.0.0.1:${layout.port}${layout.runAs ? ` as ${layout.runAs.user}` : ''}…`,
    );
    supervisor.start(postgresService(layout));
    // A server that dies three times in a row will not come up by waiting longer.
    const postgresFailing = () => ((crashes.get('postgres') ?? 0) >= 3 ? 'it keeps exiting' : undefined);
    await step(waitForPostgres(layout, deadline, postgresFailing));

    const schemaTarget = {
      sqlTool: binaries.sqlTool,
      schemaDir: binaries.schemaDir,
      postgresBinDir: layout.binDir,
      port: layout.port,
    };
    const urgentServer = urgentCell(config);
    const schema = await step(ensureSchema(schemaTarget));
    if (urgentServer) schema.push(...(await step(ensureSchema(schemaTarget, urgentServer.databases))));
    for (const s of schema) say(`schema ${s.database}: ${s.action} (version ${s.version})`);

    const temporalAddress = `127.0.0.1:${config.temporal.devServerPort}`;
    say(`starting Temporal server ${binaries.serverVersion} on ${temporalAddress}…`);
    // With the urgent lane on a server of its own, this one serves video work and the webhooks'
    // acks only: it and its PostgreSQL backends may yield the CPU to the urgent server's.
    const nice = urgentServer ? config.stack.videoServerNice : 0;
    supervisor.start({ ...temporalServerService(config, binaries, tls.dir), ...(nice && { nice }) });
    if (nice) {
      backends = niceBackends({
        postmasterPid: () => supervisor.process('postgres')?.pid,
        databases: Object.values(sharedCell(config).databases),
        nice,
        warn: (line) => print('postgres', line),
      });
    }
    const server = connectionOptions(config, temporalAddress);
    await step(waitForTemporal(server, deadline));
    const namespaces = [config.temporal.namespace];
    const urgent = config.temporal.urgentNamespace;
    // A namespace of the urgent lane's own on this server, unless the lane has a server of its own.
    if (urgent && urgent !== config.temporal.namespace && !config.temporal.urgentAddress && !urgentServer)
      namespaces.push(urgent);
    // Password resets index nothing: the urgent namespace needs no search attributes (and adding
    // them to two namespaces at once races on the server's metadata).
    const outcomes = await step(
      Promise.all(namespaces.map((n, i) => ensureNamespace(server, n, deadline, i === 0 ? undefined : []))),
    );
    for (const [i, outcome] of outcomes.entries()) {
      say(
        `namespace ${namespaces[i]}: ${outcome.namespaceCreated ? 'registered' : 'found'}; ` +
          `search attributes ${outcome.attributesAdded.length ? `added: ${outcome.attributesAdded.join(', ')}` : 'found'}`,
      );
    }
    const namespace = outcomes[0]!;

    supervisor.start(uiServerService(config, binaries, temporalAddress, tls.dir));
    const urgentAddress = urgentServer
      ? await step(startUrgentServer(urgentServer))
      : config.temporal.urgentAddress;
    // Videos go to S3: the profile's own object store unless S3_ENDPOINT names another one.
    const storeEnv: Record<string, string> = { STORAGE_BACKEND: config.objectStore.backend };
    if (usesOwnObjectStore(config)) {
      const storeFailing = () => ((crashes.get('object-store') ?? 0) >= 3 ? 'it keeps exiting' : undefined);
      const store = await step(
        startObjectStore(config, binaries.objectStore, (s) => supervisor.start(s), deadline, storeFailing),
      );
      say(
        `object store ${binaries.objectStoreVersion} on ${store.layout.endpoint} (data in ${store.layout.dataDir}); ` +
          `bucket ${config.objectStore.bucket} ${store.bucketCreated ? 'created' : 'found'}`,
      );
      Object.assign(storeEnv, store.env);
    }
    const env = {
      ...userEnv,
      ...childEnv(config, temporalAddress, urgentAddress),
      ...tlsEnv,
      ...storeEnv,
    };
    const services = appServices(config, env, opts.videoLane ?? videoLaneServices);
    const specs = asUrgentReplicas(behindLoadBalancer(config, services, replicas, nginx), urgentLane);
    for (const spec of specs) supervisor.start(spec);
    const apiReady = await step(waitForApi(config, Math.max(deadline - Date.now(), 1_000), replicas));
    if (!apiReady) {
      throw new StartupError(
        'the API did not become ready in time; see the lines above, fix that and start again',
      );
    }

    return {
      config,
      temporalAddress,
      uiUrl: `http://127.0.0.1:${config.temporal.uiPort}`,
      ...(urgentServer &&
        urgentAddress && {
          urgentServer: { address: urgentAddress, uiUrl: `http://127.0.0.1:${urgentServer.uiPort}` },
        }),
      schema,
      namespace,
      postgresCreated,
      supervisor,
      apiReplicas: replicas,
      urgentWorkers: urgentLane,
      kill(name, signal = 'SIGKILL') {
        const child = supervisor.process(name);
        if (!child?.pid) throw new Error(`${name} is not running`);
        child.kill(signal);
        return child.pid;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The ports PostgreSQL, the Temporal server and its Web UI server listen on. */
function infraPorts(config: Config): StackPort[] {
  const internal = Object.entries(clusterPorts(config))
    .filter(([name]) => name !== 'frontend')
    .map(([, port]) => ({ setting: 'CLUSTER_PORT_BASE', port }));
  return [
    { setting: 'CLUSTER_POSTGRES_PORT', port: config.cluster.postgresPort },
    { setting: 'TEMPORAL_PORT', port: config.temporal.devServerPort },
    ...internal,
    { setting: 'TEMPORAL_UI_PORT', port: config.temporal.uiPort },
    ...urgentServerPorts(config),
    ...(usesOwnObjectStore(config)
      ? [{ setting: 'CLUSTER_OBJECT_STORE_PORT', port: config.objectStore.clusterPort }]
      : []),
  ];
}

/** `work`, or a rejection as soon as `signal` aborts (the work itself runs on and is dropped). */
function untilAborted<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) reject(new Error('start-up aborted'));
    const onAbort = () => reject(new Error('start-up aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The urgent lane's own server's ports, when the profile runs one. */
function urgentServerPorts(config: Config): StackPort[] {
  const cell = urgentCell(config);
  if (!cell) return [];
  assertCellPorts(cell, 'URGENT_TEMPORAL_PORT', 'CLUSTER_URGENT_PORT_BASE');
  const { frontend, ...internal } = cellPorts(cell);
  return [
    { setting: 'URGENT_TEMPORAL_PORT', port: frontend },
    ...Object.values(internal).map((port) => ({ setting: 'CLUSTER_URGENT_PORT_BASE', port })),
    { setting: 'URGENT_TEMPORAL_UI_PORT', port: cell.uiPort },
  ];
}
