import { resolve } from 'node:path';
import { z } from 'zod';
import { port, positiveInt, type Parsed } from './setting-types.js';

/** The cluster profile (`npm run start:cluster`); TEMPORAL_PORT and TEMPORAL_UI_PORT serve it too. */
export const clusterSettings = {
  // Cluster profile (npm run start:cluster); TEMPORAL_PORT and TEMPORAL_UI_PORT serve it too.
  CLUSTER_POSTGRES_PORT: port.default(7432).meta({ description: 'cluster profile: PostgreSQL port' }),
  /** First of nine consecutive ports for the Temporal server's internal services and metrics. */
  // The server stores membership ports as PostgreSQL smallint: all nine must stay below 32768.
  CLUSTER_PORT_BASE: port
    .max(32759, 'must be at most 32759 (nine ports below 32768)')
    .default(7300)
    .meta({ description: "cluster profile: first of 9 ports for Temporal's internal services and metrics" }),
  /** The urgent lane's own server (STACK_URGENT_SERVER=own) takes the nine ports from here. */
  CLUSTER_URGENT_PORT_BASE: port
    .max(32759, 'must be at most 32759 (nine ports below 32768)')
    .default(7310)
    .meta({
      description:
        "cluster profile with `STACK_URGENT_SERVER=own`: first of 9 ports for the urgent lane's server's internal services and metrics",
    }),
  /** The Temporal server's dynamic config: the lanes' per-namespace budgets live there. */
  CLUSTER_DYNAMIC_CONFIG_FILE: z.string().optional().meta({
    description:
      "cluster profile: the Temporal server's dynamic config file, where the video namespace's budget is set (re-read every 10 s)",
    shown: '`temporal-compose/dynamicconfig/floodgate.yaml`',
  }),
  /**
   * The Temporal servers' Go garbage collector (GOGC): a collection starts once the heap has grown
   * by this percentage since the last. Go's default (100) spent 8 % of the video lane's server's
   * CPU marking at 1,500 webhooks/min; 400 spent 2.5 % for about 2.5× its heap (docs/performance.md).
   */
  CLUSTER_SERVER_GOGC: positiveInt.min(50).max(2000).default(400).meta({
    description:
      "cluster profile: the Temporal servers' `GOGC`, the heap growth (percent) between garbage collections; higher spends less CPU and more memory (Go's own default: 100)",
  }),
  /** Go's profiler on the shared server (and on this + 1 for the urgent lane's own), for `go tool pprof`. */
  CLUSTER_SERVER_PPROF_PORT: port.max(65534).default(0).meta({
    description:
      "cluster profile: serve the shared Temporal server's Go profiler (`/debug/pprof/`) on 127.0.0.1 at this port, the urgent lane's own server's at this + 1; `0`: off",
  }),
  /** The API runs as this many processes behind the profile's nginx, which takes PORT. */
  API_REPLICAS: positiveInt.max(16).default(2).meta({
    description: 'cluster profile: API processes behind its nginx load balancer (which listens on `PORT`)',
  }),
  /** Replica n listens on 127.0.0.1:(this + n − 1); 0 picks free loopback ports at each start. */
  API_REPLICA_PORT_BASE: port.default(0).meta({
    description:
      'cluster profile: replica n of the API listens on 127.0.0.1 at this + n − 1 (its `/metrics` there too); `0`: free ports picked at start',
  }),
  /**
   * Two by default, as in docker-compose.yml: while the supervisor restarts a killed one (seconds,
   * under load), the other goes on taking password resets and mail.
   */
  URGENT_WORKER_REPLICAS: positiveInt.max(8).default(2).meta({
    description:
      "cluster profile: the urgent lane's worker processes (`worker-urgent-1`…); with two, resets go on while one restarts",
  }),
  NGINX_BIN: z.string().optional().meta({
    description: 'cluster profile: the nginx program in front of the API replicas',
    shown: '`nginx` on `PATH`, then `/usr/sbin/nginx`',
  }),
  /** PostgreSQL's programs (initdb, postgres); default: `pg_config --bindir`, then Debian's folders. */
  POSTGRES_BIN_DIR: z.string().optional().meta({
    description: 'cluster profile: folder of `initdb` and `postgres`',
    shown: '`pg_config --bindir`',
  }),
  /** The user PostgreSQL runs as when the stack is started as root (PostgreSQL refuses root). */
  POSTGRES_OS_USER: z
    .string()
    .default('postgres')
    .meta({ description: 'cluster profile: user PostgreSQL runs as when started as root' }),
  /**
   * As root: where PostgreSQL's folders live (one per DATA_DIR), a place that user can reach even
   * when DATA_DIR sits below a 0700 folder (see src/cluster/postgres-home.ts).
   */
  POSTGRES_STATE_DIR: z.string().default('/var/lib/floodgate/postgres').meta({
    description:
      "cluster profile, as root: where PostgreSQL's folders live (one per `DATA_DIR`), reachable by that user",
  }),
};

export type ClusterEnv = Parsed<typeof clusterSettings>;

export function clusterSection(e: ClusterEnv, dataDir: string) {
  return {
    postgresPort: e.CLUSTER_POSTGRES_PORT,
    portBase: e.CLUSTER_PORT_BASE,
    urgentPortBase: e.CLUSTER_URGENT_PORT_BASE,
    /** Undefined: the file shared with docker-compose.yml. */
    dynamicConfigFile: e.CLUSTER_DYNAMIC_CONFIG_FILE && resolve(e.CLUSTER_DYNAMIC_CONFIG_FILE),
    postgresBinDir: e.POSTGRES_BIN_DIR,
    postgresOsUser: e.POSTGRES_OS_USER,
    postgresStateDir: resolve(e.POSTGRES_STATE_DIR),
    dir: resolve(dataDir, 'cluster'),
    serverGogc: e.CLUSTER_SERVER_GOGC,
    serverPprofPort: e.CLUSTER_SERVER_PPROF_PORT,
    apiReplicas: e.API_REPLICAS,
    apiReplicaPortBase: e.API_REPLICA_PORT_BASE,
    urgentWorkerReplicas: e.URGENT_WORKER_REPLICAS,
    nginxBin: e.NGINX_BIN,
  };
}
