import { resolve } from 'node:path';
import { z } from 'zod';
import { parseAddressRule } from './activities/video/address-rules.js';
import { DEV_DEFAULTS } from './dev-defaults.js';
import { unsafeSettings } from './settings-safety/unsafe-settings.js';
import { loadConnectionProfile, type ConnectionProfile } from './temporal/connection-profile.js';
import { parseEncryptionKeys, type EncryptionKey } from './temporal/encryption-codec.js';
import { parseUrlTokenKeys, type UrlTokenKey } from './api/webhooks/webhook-url-token.js';

/**
 * The one typed configuration. Every environment variable Floodgate reads is parsed here,
 * at start-up, and a bad value stops the process with a message naming the variable.
 * Nothing else reads process.env. docs/configuration.md is generated from this file
 * (`npm run docs:config`).
 */

export { DEV_DEFAULTS } from './dev-defaults.js';

const list = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string()).min(1, 'needs at least one comma-separated value'));

/** Allow-list entries (addresses or CIDR blocks), checked at start-up; `none` is the empty list. */
function addressRules(entries: string[], ctx: z.RefinementCtx): string[] {
  if (entries.length === 1 && entries[0]?.toLowerCase() === 'none') return [];
  for (const entry of entries) {
    try {
      parseAddressRule(entry);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  }
  return entries;
}

/** Command-line arguments, space-separated; empty when unset. */
const args = z
  .string()
  .default('')
  .transform((s) => s.split(/\s+/).filter(Boolean));

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Durations like 500ms, 30s, 10m, 2h; plain numbers are milliseconds. */
const duration = z
  .string()
  .transform((s, ctx) => {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `"${s}" is not a duration (use e.g. 500ms, 30s, 10m, 2h)` });
      return z.NEVER;
    }
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 'ms'] ?? 1;
    return Math.round(Number(m[1]) * unit);
  })
  .meta({ format: 'duration' });

/**
 * Every setting carries its reference entry (docs/configuration.md is generated from it by
 * `npm run docs:config`): what it does, and, where the parsed default would not read as a user
 * writes it (secrets, computed values), the default as shown; durations are shown in their unit.
 */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development').meta({
    description:
      '`production` is the only mode that may listen beyond loopback, and it refuses every development default, placeholder, short secret, link to this machine and clear-text mail (one line each; see [deploying](deploying.md#production-checklist))',
  }),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .meta({ description: 'pino level' }),

  // HTTP API
  PORT: port.default(3000).meta({ description: 'API port' }),
  HOST: z.string().default('127.0.0.1').meta({
    description:
      'API bind address (`0.0.0.0` in containers); beyond loopback only with `NODE_ENV=production`',
  }),
  API_KEYS: list
    .default([DEV_DEFAULTS.apiKey])
    .meta({ description: 'comma-separated API keys (several at once for rotation)' }),
  WEBHOOK_BODY_LIMIT_BYTES: positiveInt.default(256 * 1024).meta({ description: 'larger bodies get `413`' }),
  WEBHOOK_TOLERANCE: duration
    .default(5 * 60_000)
    .meta({ description: 'accepted clock skew of `webhook-timestamp`, both ways' }),
  WEBHOOK_ACK_DEADLINE: duration
    .default(5_000)
    .meta({ description: 'longest wait for Temporal before answering `503`' }),
  // Admission control of webhook intake: concurrency limit following ack latency (AIMD).
  WEBHOOK_ADMISSION: bool.default(false).meta({
    description:
      'Admission control on `POST /webhooks/*`: above an adaptive concurrency limit a webhook is answered 503 with `Retry-After: 1`; other routes are never limited',
  }),
  WEBHOOK_ADMISSION_TARGET: duration.default(50).meta({
    description:
      'Ack latency the limit steers to: faster answers grow it (+1/limit), slower ones or 5xx cut it by 10 % (at most once per target interval)',
  }),
  WEBHOOK_ADMISSION_MIN: positiveInt.default(2).meta({
    description:
      'Lower bound of that limit (metrics: `floodgate_webhook_admission_limit`, `_in_flight`, `_rejected_total`)',
  }),
  WEBHOOK_ADMISSION_MAX: positiveInt.default(256).meta({ description: 'Upper bound of that limit' }),
  WEBHOOK_ADMISSION_INITIAL: positiveInt.default(16).meta({ description: 'Start value of that limit' }),
  REPLICATE_WEBHOOK_SECRETS: list.default([DEV_DEFAULTS.replicateSecret]).meta({
    description: 'comma-separated `whsec_…` secrets for the `replicate` source',
    shown: 'dev secret',
  }),
  GENERIC_WEBHOOK_SECRETS: list
    .default([DEV_DEFAULTS.genericSecret])
    .meta({ description: 'comma-separated HMAC secrets for the `generic` source', shown: 'dev secret' }),
  GENERIC_WEBHOOK_LEGACY_UNTIMED: bool.default(false).meta({
    description:
      'legacy: also accept the original body-only `X-Signature` from a sender that sends no `X-Signature-Timestamp`; such a signature has no time in it, so a captured delivery replays forever. Only while a sender cannot sign timestamps yet',
  }),
  // Per-video webhook URLs and the size of a video job's run (docs/api.md#webhook-urls).
  WEBHOOK_URL_KEYS: list.default([DEV_DEFAULTS.webhookUrlKey]).meta({
    description:
      '`id:secret` keys (secret ≥ 16 characters) that sign the per-video token on replicate webhook URLs; first signs, all verify (rotation)',
    shown: 'dev key',
  }),
  VIDEO_JOB_MAX_EVENTS: positiveInt.default(500).meta({
    description:
      "provider events (distinct, duplicate or of another prediction) one run of a video job takes in before it continues as new with its state; bounds each run's history",
  }),
  /** Where the provider should send webhooks for jobs Floodgate submits. */
  PUBLIC_BASE_URL: z.url().optional().meta({
    description: 'base of the webhook URL Floodgate gives the provider',
    shown: '`http://127.0.0.1:$PORT`',
  }),
  /** Task queues that need a polling worker before /readyz says ready; "none" checks none. */
  READY_TASK_QUEUES: list.optional().meta({
    description:
      "task queues that need a live poller before `/readyz` (and `npm start`'s banner) say ready; `none` skips the check",
    shown: "the mode's lanes (`urgent,video`, or `shared`)",
  }),

  // Temporal. The connection settings are @temporalio/envconfig's (src/temporal/connection-profile.ts):
  // TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE win over the profile file's; unset both, and `npm start`
  // runs a dev server.
  TEMPORAL_ADDRESS: z
    .string()
    .optional()
    .meta({ description: 'use this cluster; unset: `npm start` runs a dev server' }),
  TEMPORAL_NAMESPACE: z.string().default('default').meta({ description: 'Temporal namespace' }),
  /** A TOML file of connection profiles, as the Temporal CLI writes it. */
  TEMPORAL_CONFIG_FILE: z.string().optional().meta({
    description:
      "a TOML file of connection profiles (the Temporal CLI's format); see [Connecting to Temporal Cloud or a secured cluster](deploying.md#connecting-to-temporal-cloud-or-a-secured-cluster)",
  }),
  TEMPORAL_PROFILE: z
    .string()
    .optional()
    .meta({ description: 'the profile to use from `TEMPORAL_CONFIG_FILE`', shown: '`default`' }),
  TEMPORAL_API_KEY: z.string().optional().meta({ description: 'API key (turns TLS on)' }),
  TEMPORAL_TLS: bool.optional().meta({ description: 'TLS on or off for the connection to Temporal' }),
  TEMPORAL_TLS_CLIENT_CERT_PATH: z
    .string()
    .optional()
    .meta({ description: 'mTLS client certificate file (PEM)' }),
  TEMPORAL_TLS_CLIENT_KEY_PATH: z.string().optional().meta({ description: 'mTLS client key file (PEM)' }),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: z
    .string()
    .optional()
    .meta({ description: "CA certificate file (PEM) the server's certificate is checked against" }),
  TEMPORAL_TLS_SERVER_NAME: z
    .string()
    .optional()
    .meta({ description: "name expected in the server's certificate" }),
  TEMPORAL_PORT: port
    .default(7233)
    .meta({ description: 'dev server or cluster profile port (Temporal frontend, gRPC)' }),
  TEMPORAL_UI_PORT: port
    .default(8233)
    .meta({ description: 'dev server or cluster profile port (Temporal Web UI)' }),
  /** Extra `temporal server start-dev` arguments for the local stack, space-separated. */
  TEMPORAL_DEV_SERVER_ARGS: args.meta({
    description:
      'extra `temporal server start-dev` arguments for `npm start`, space-separated; a `--dynamic-config-value` for a key Floodgate sets replaces its value',
  }),
  /**
   * The urgent lane's own Temporal server (password resets start there); unset, it shares the
   * server at TEMPORAL_ADDRESS. `npm start` with STACK_URGENT_SERVER=own sets it.
   */
  URGENT_TEMPORAL_ADDRESS: z.string().optional().meta({
    description:
      "the urgent lane's own Temporal server: password resets start there, and the urgent worker serves both servers (the video jobs' mail still comes through the shared one); unset: one server for every lane",
  }),
  URGENT_TEMPORAL_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,255}$/, 'a Temporal namespace name (letters, digits, . _ -)')
    .optional()
    .meta({
      description:
        "the urgent lane's own namespace: password resets start there, and the server schedules and limits it apart from the video jobs'; the urgent worker serves both namespaces. `start:cluster` sets `floodgate-urgent`; unset: one namespace for every lane",
    }),
  URGENT_TEMPORAL_PORT: port
    .default(7234)
    .meta({ description: "frontend port of the urgent lane's own server when `STACK_URGENT_SERVER=own`" }),
  URGENT_TEMPORAL_UI_PORT: port
    .default(8234)
    .meta({ description: "Web UI port of the urgent lane's own server when `STACK_URGENT_SERVER=own`" }),
  /** Extra `temporal server start-dev` arguments for the urgent lane's dev server, space-separated. */
  URGENT_TEMPORAL_DEV_SERVER_ARGS: args.meta({
    description:
      "extra `temporal server start-dev` arguments for the urgent lane's dev server, like `TEMPORAL_DEV_SERVER_ARGS` for the first",
  }),

  /** id:base64key pairs for payload encryption, first one active; "off" disables encryption. */
  PAYLOAD_ENCRYPTION_KEYS: z.string().default(DEV_DEFAULTS.payloadKey).meta({
    description: '`id:base64(32 bytes)` list, first encrypts, all decrypt; `off` disables',
    shown: 'dev key',
  }),
  /** Browser origins of Temporal Web UIs allowed to call the codec endpoint. */
  CODEC_CORS_ORIGINS: list
    .optional()
    .meta({ description: 'browser origins allowed to call `/codec`', shown: 'the local Web UI' }),
  // Payload privacy (docs/payload-privacy.md): /codec has its own credential, never an API key.
  CODEC_AUTH_TOKENS: list.optional().meta({
    description:
      'comma-separated Bearer tokens for `/codec` (several at once for rotation); must differ from `API_KEYS`; unset: only loopback callers under `CODEC_TRUST_LOOPBACK` get in',
    shown: 'none',
  }),
  CODEC_TRUST_LOOPBACK: bool.optional().meta({
    description:
      'development only (refused with `NODE_ENV=production`): `/codec` lets loopback callers in without a token when their `Host` is in `CODEC_LOOPBACK_HOSTS`, so the local Web UI, which cannot send one, decodes; `npm start` and `start:cluster` turn it on outside production',
    shown: '`false` (the local stacks: `true` outside production)',
  }),
  CODEC_LOOPBACK_HOSTS: list.optional().meta({
    description:
      "`Host` values a loopback caller of `/codec` may use under `CODEC_TRUST_LOOPBACK` (any other, such as a DNS-rebinding page's name, is refused)",
    shown: '`127.0.0.1:$PORT,localhost:$PORT,[::1]:$PORT`',
  }),
  PAYLOAD_REQUIRE_ENCRYPTION: bool.optional().meta({
    description:
      'workers and the API refuse to decode a payload that is not encrypted; always on with `NODE_ENV=production` (setting `false` there is refused); off elsewhere so older plaintext runs still read',
    shown: '`true` in production, else `false`',
  }),

  // Storage
  DATA_DIR: z
    .string()
    .default('.data')
    .meta({ description: 'dev server state, stored videos (`videos/`), received mail (`mail/`)' }),
  // Object storage: `npm start` keeps videos in DATA_DIR/videos; start:cluster defaults to `s3`.
  STORAGE_BACKEND: z.enum(['local', 's3']).default('local').meta({
    description:
      '`s3`: videos go to an S3-compatible bucket (multipart, resumable); `start:cluster` defaults to `s3` and, without `S3_ENDPOINT`, runs its own object store',
  }),
  S3_ENDPOINT: z.url().optional().meta({
    description: 'S3 endpoint URL (e.g. `http://object-store:7070`); unset: AWS S3 for `S3_REGION`',
    shown: 'AWS S3',
  }),
  S3_REGION: z.string().default('us-east-1').meta({ description: 'S3 region (signing region)' }),
  S3_BUCKET: z.string().default('floodgate-videos').meta({ description: 'bucket the videos go to' }),
  S3_PREFIX: z.string().default('videos/').meta({ description: 'key prefix: a video is `<prefix><id>.mp4`' }),
  S3_FORCE_PATH_STYLE: bool
    .default(false)
    .meta({ description: '`true`: `endpoint/bucket/key` URLs (most self-hosted S3 servers need it)' }),
  S3_ACCESS_KEY_ID: z.string().optional().meta({
    description: 'S3 access key; unset: the AWS SDK default chain (environment, profile, instance role)',
  }),
  S3_SECRET_ACCESS_KEY: z
    .string()
    .optional()
    .meta({ description: 'S3 secret key (with `S3_ACCESS_KEY_ID`)' }),
  S3_PART_SIZE: positiveInt
    .min(5 * 1024 * 1024, 'must be at least 5 MiB (S3 minimum part size)')
    .default(8 * 1024 * 1024)
    .meta({ description: 'multipart part size in bytes; a crashed download resumes after its last part' }),
  CLUSTER_OBJECT_STORE_PORT: port
    .default(7070)
    .meta({ description: "cluster profile: its own object store's S3 port (when `S3_ENDPOINT` is unset)" }),

  // Lanes and capacity
  LANE_MODE: z
    .enum(['dedicated', 'shared'])
    .default('dedicated')
    .meta({ description: '`shared` runs everything on one queue and pool — for benchmarks and tests only' }),
  URGENT_ACTIVITY_SLOTS: positiveInt
    .default(20)
    .meta({ description: 'urgent worker capacity: activity slots' }),
  URGENT_WORKFLOW_SLOTS: positiveInt
    .default(20)
    .meta({ description: 'urgent worker capacity: workflow task slots' }),
  VIDEO_ACTIVITY_SLOTS: positiveInt
    .default(20)
    .meta({ description: 'video worker capacity: activity slots' }),
  VIDEO_WORKFLOW_SLOTS: positiveInt
    .default(40)
    .meta({ description: 'video worker capacity: workflow task slots' }),
  /** Server-enforced cap on provider/download activities per second across the whole video queue. */
  VIDEO_QUEUE_ACTIVITIES_PER_SECOND: z.coerce
    .number()
    .positive()
    .default(200)
    .meta({ description: 'server-enforced rate limit for the whole `video` queue' }),
  /** tenant=weight pairs for Fairness on the video lane, e.g. "acme=3,bulkco=1". */
  TENANT_FAIRNESS_WEIGHTS: z
    .string()
    .default('')
    .meta({ description: '`tenant=weight,…` Fairness weights on the video lane' }),
  /** How long a stopping video worker lets in-flight activities finish before cancelling them. */
  VIDEO_WORKER_SHUTDOWN_GRACE: duration.default(30_000).meta({
    description: 'a stopping video worker lets in-flight activities finish this long first',
  }),

  // Video lane autoscaler (VIDEO_AUTOSCALE=on: `npm start` runs it in place of the one video worker)
  VIDEO_AUTOSCALE: z
    .enum(['on', 'off'])
    .default('off')
    .meta({ description: '`on`: `npm start` runs the autoscaler in place of the one video worker' }),
  AUTOSCALE_MIN_REPLICAS: positiveInt
    .default(1)
    .meta({ description: 'lower bound of the video worker fleet' }),
  AUTOSCALE_MAX_REPLICAS: positiveInt
    .default(4)
    .meta({ description: 'upper bound of the video worker fleet' }),
  AUTOSCALE_INTERVAL: duration
    .default(5_000)
    .meta({ description: 'how often the autoscaler reads the backlog and decides' }),
  /** Waiting tasks one replica is expected to clear; the backlog divided by this is the replica count. */
  AUTOSCALE_BACKLOG_PER_REPLICA: positiveInt
    .default(50)
    .meta({ description: 'waiting tasks per replica: backlog ÷ this = replicas wanted' }),
  /** An oldest waiting task older than this asks for one more replica. */
  AUTOSCALE_MAX_BACKLOG_AGE: duration.default(30_000).meta({
    description: 'an oldest waiting task older than this asks for one more replica',
  }),
  /** No scale-in until this long after the last change, so a burst's tail does not flap the fleet. */
  AUTOSCALE_COOLDOWN: duration.default(30_000).meta({
    description: 'no scale-in until this long after the last change (scale-out never waits)',
  }),
  AUTOSCALE_METRICS_PORT: port
    .default(9463)
    .meta({ description: "the autoscaler's Prometheus endpoint (`0`: any free port)" }),
  AUTOSCALE_CPU_CEILING: z
    .union([z.literal('off'), z.coerce.number().int().min(1).max(100)])
    .default(80)
    .transform((v) => (v === 'off' ? undefined : v / 100))
    .meta({
      description:
        "busy share of the machine's CPU (percent) at which the local autoscaler adds no video replica: its replicas share this machine, so more of them cannot clear a backlog the CPU holds; `off` where replicas land on other machines",
      shown: '80',
    }),

  // Worker metrics (the Temporal SDK's Prometheus exporter; 0 turns a lane's exporter off)
  WORKER_METRICS_HOST: z
    .string()
    .default('127.0.0.1')
    .meta({ description: 'bind address of every metrics exporter (`0.0.0.0` in containers)' }),
  URGENT_WORKER_METRICS_PORT: port
    .default(9464)
    .meta({ description: "SDK metrics of the urgent lane's worker; `0` off" }),
  /** The video worker's port; autoscaled replica n (from 1) listens on this + n - 1. */
  VIDEO_WORKER_METRICS_PORT: port
    .default(9465)
    .meta({ description: "SDK metrics of the video lane's worker; replica n uses this + n − 1; `0` off" }),
  /** Set by the autoscaler on its replicas: a replica whose autoscaler is gone stops itself. */
  WORKER_PARENT_PID: positiveInt.optional().meta({
    description:
      'set by the autoscaler on its replicas: a replica whose autoscaler is gone stops itself (not for users)',
  }),

  // ML provider (Replicate-style API)
  PROVIDER_BASE_URL: z
    .url()
    .default(DEV_DEFAULTS.providerBaseUrl)
    .meta({ description: 'Replicate-style API base URL' }),
  PROVIDER_API_TOKEN: z
    .string()
    .default(DEV_DEFAULTS.providerToken)
    .meta({ description: 'provider API token', shown: 'dev token' }),
  PROVIDER_MODEL_VERSION: z
    .string()
    .default('floodgate/dev-video-model')
    .meta({ description: 'model version sent on submit' }),
  RECONCILE_AFTER: duration
    .default(10 * 60_000)
    .meta({ description: 'without a terminal webhook by then, a job polls the provider' }),
  DOWNLOAD_ALLOWED_HOSTS: list
    .default(['127.0.0.1', 'localhost'])
    .meta({ description: 'hosts downloads may come from' }),
  // Downloads resolve the host and connect only to a checked address (src/activities/video/address-rules.ts).
  DOWNLOAD_ALLOWED_ADDRESSES: list.transform(addressRules).optional().meta({
    description:
      'addresses or CIDR blocks downloads may connect to although private, loopback, link-local, unique-local, IPv4-mapped, unspecified or multicast; `none` for none. Production refuses loopback here',
    shown: "`none` in production; `127.0.0.1,::1` otherwise (the local stack's simulated provider)",
  }),
  DOWNLOAD_ALLOWED_PORTS: list
    .transform((ports) => ports.map(Number))
    .pipe(z.array(z.number().int().min(1).max(65535)))
    .optional()
    .meta({
      description: 'ports downloads may connect to, redirects included',
      shown: '`443` + `PROVIDER_SIM_PORT` outside production',
    }),
  DOWNLOAD_MAX_BYTES: positiveInt.default(512 * 1024 * 1024).meta({ description: 'largest file downloaded' }),

  // Mail
  SMTP_URL: z.string().default('smtp://127.0.0.1:2525').meta({
    description:
      'nodemailer transport URL; in production `smtps://` or `smtp://` with STARTTLS required (a server without it fails the send)',
  }),
  MAIL_FROM: z.string().default('Floodgate <no-reply@floodgate.local>').meta({ description: 'sender' }),
  PASSWORD_RESET_URL_BASE: z
    .url()
    .default('http://localhost:3000/reset')
    .meta({ description: 'link in reset mails' }),
  PASSWORD_RESET_TTL: duration.default(30 * 60_000).meta({ description: 'token lifetime' }),
  PASSWORD_RESET_COOLDOWN: duration.default(60_000).meta({
    description: 'a repeat request for a user inside it is refused (`429`) and sends no second mail',
  }),
  // Reset limits, decided in each API process before Temporal (docs/api.md#password-reset-limits).
  PASSWORD_RESET_USER_LIMIT: positiveInt
    .default(3)
    .meta({ description: 'reset requests (so mails) per user per `PASSWORD_RESET_LIMIT_WINDOW`' }),
  PASSWORD_RESET_ADDRESS_LIMIT: positiveInt.default(3).meta({
    description:
      'reset requests per email address (case and `+tag` folded) per window, whatever the user ids',
  }),
  PASSWORD_RESET_LIMIT_WINDOW: duration
    .default(3_600_000)
    .meta({ description: 'window of the two limits above' }),
  PASSWORD_RESET_OVERALL_LIMIT: positiveInt
    .default(100)
    .meta({ description: 'reset requests per second one API process admits, all users together' }),
  PASSWORD_RESET_ID_KEY: z.string().min(16).default(DEV_DEFAULTS.passwordResetIdKey).meta({
    description:
      'HMAC key for reset workflow ids and for the video ids of `Idempotency-Key` requests (no user ids or client keys in ids)',
    shown: 'dev key',
  }),

  // Local stack (npm start)
  PROVIDER_SIM_PORT: port.default(4010).meta({ description: "local stack's simulated provider" }),
  SMTP_SINK_PORT: port.default(2525).meta({ description: "local stack's SMTP sink" }),
  STACK_RESTART_CHILDREN: bool
    .default(true)
    .meta({ description: '`npm start` restarts any crashed service, Temporal included (capped backoff)' }),

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
  /** The API runs as this many processes behind the profile's nginx, which takes PORT. */
  API_REPLICAS: positiveInt.max(16).default(2).meta({
    description: 'cluster profile: API processes behind its nginx load balancer (which listens on `PORT`)',
  }),
  /** Replica n listens on 127.0.0.1:(this + n − 1); 0 picks free loopback ports at each start. */
  API_REPLICA_PORT_BASE: port.default(0).meta({
    description:
      'cluster profile: replica n of the API listens on 127.0.0.1 at this + n − 1 (its `/metrics` there too); `0`: free ports picked at start',
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
  // Niceness of the video worker and the provider simulator in `npm start` (0 = same as the rest).
  STACK_BACKGROUND_NICE: z.coerce.number().int().min(0).max(19).default(10).meta({
    description:
      'Niceness (0–19) of the video lane (the worker, or the autoscaler and its replicas) and the provider simulator in `npm start` and `start:cluster`; the API, urgent worker and Temporal stay at normal priority (0 = off)',
  }),
  // off: the local stack runs no video worker (they run elsewhere, against the same Temporal).
  STACK_VIDEO_LANE: z.enum(['on', 'off']).default('on').meta({
    description:
      '`off`: `npm start` and `start:cluster` run no video worker here (run `npx tsx src/workers/video.ts` elsewhere against the same Temporal); set `READY_TASK_QUEUES=urgent` too while no video worker polls',
  }),
  /** `own`: a second Temporal server for the urgent lane, so resets never queue behind video tasks. */
  STACK_URGENT_SERVER: z.enum(['shared', 'own']).default('shared').meta({
    description:
      '`own`: the urgent lane gets a Temporal server of its own, with its own Web UI, and the API and workers get its `URGENT_TEMPORAL_ADDRESS`. `npm start` runs a dev server (`DATA_DIR/temporal-urgent.sqlite`; `URGENT_TEMPORAL_DEV_SERVER_ARGS`, not `TEMPORAL_DEV_SERVER_ARGS`, applies to it); `start:cluster` a second server on the same PostgreSQL (databases `temporal_urgent`, `temporal_urgent_visibility`) and mTLS, its frontend on `URGENT_TEMPORAL_PORT` (below 32768)',
  }),
});

export type Env = z.input<typeof configSchema>;
export type Config = ReturnType<typeof loadConfig>;

export class ConfigError extends Error {}

/**
 * LOG_LEVEL=debug or trace: start commands print the stack trace of an unexpected failure.
 * Read on its own, so it works even when the rest of the configuration is invalid.
 */
export function wantsStackTraces(env: Record<string, string | undefined> = process.env): boolean {
  return env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace';
}

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  // An empty variable means "unset", as in most shells' `VAR= command` usage.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const usingDevSecrets =
    e.REPLICATE_WEBHOOK_SECRETS.includes(DEV_DEFAULTS.replicateSecret) ||
    e.GENERIC_WEBHOOK_SECRETS.includes(DEV_DEFAULTS.genericSecret) ||
    e.API_KEYS.includes(DEV_DEFAULTS.apiKey) ||
    e.PASSWORD_RESET_ID_KEY === DEV_DEFAULTS.passwordResetIdKey ||
    e.PAYLOAD_ENCRYPTION_KEYS === DEV_DEFAULTS.payloadKey ||
    e.WEBHOOK_URL_KEYS.includes(DEV_DEFAULTS.webhookUrlKey);
  let urlTokenKeys: UrlTokenKey[];
  try {
    urlTokenKeys = parseUrlTokenKeys(e.WEBHOOK_URL_KEYS);
  } catch (err) {
    throw new ConfigError(`invalid configuration:\n  WEBHOOK_URL_KEYS: ${(err as Error).message}`);
  }
  let encryptionKeys: EncryptionKey[] = [];
  if (e.PAYLOAD_ENCRYPTION_KEYS !== 'off') {
    try {
      encryptionKeys = parseEncryptionKeys(list.parse(e.PAYLOAD_ENCRYPTION_KEYS));
    } catch (err) {
      throw new ConfigError(`invalid configuration:\n  PAYLOAD_ENCRYPTION_KEYS: ${(err as Error).message}`);
    }
  }
  // Production refuses every unsafe setting, and without it the API stays on loopback.
  const unsafe = unsafeSettings(e, encryptionKeys);
  if (unsafe.length > 0) {
    const mode = e.NODE_ENV === 'production' ? ' for production' : '';
    throw new ConfigError(`invalid configuration${mode}:\n${unsafe.map((l) => `  ${l}`).join('\n')}`);
  }
  const privacyProblem = payloadPrivacyProblem(e);
  if (privacyProblem) throw new ConfigError(`invalid configuration:\n  ${privacyProblem}`);
  if (e.AUTOSCALE_MIN_REPLICAS > e.AUTOSCALE_MAX_REPLICAS) {
    throw new ConfigError(
      'invalid configuration:\n  AUTOSCALE_MIN_REPLICAS: must not be above AUTOSCALE_MAX_REPLICAS',
    );
  }
  if (
    e.LANE_MODE === 'shared' &&
    (e.URGENT_TEMPORAL_ADDRESS || e.URGENT_TEMPORAL_NAMESPACE || e.STACK_URGENT_SERVER === 'own')
  ) {
    // One shared queue and pool serves everything on one server: resets sent elsewhere would never run.
    throw new ConfigError(
      'invalid configuration:\n  URGENT_TEMPORAL_ADDRESS / URGENT_TEMPORAL_NAMESPACE / STACK_URGENT_SERVER=own: need LANE_MODE=dedicated',
    );
  }
  if (Boolean(e.S3_ACCESS_KEY_ID) !== Boolean(e.S3_SECRET_ACCESS_KEY)) {
    // Half a key pair would silently fall back to the SDK's default chain (another identity).
    throw new ConfigError(
      'invalid configuration:\n  S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY: set both or neither',
    );
  }
  const dataDir = resolve(e.DATA_DIR);
  let profile: ConnectionProfile;
  try {
    profile = loadConnectionProfile(present as Record<string, string>);
  } catch (err) {
    throw new ConfigError(
      `invalid configuration:\n  TEMPORAL_CONFIG_FILE / TEMPORAL_PROFILE / TEMPORAL_TLS_*: ${(err as Error).message}`,
    );
  }
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    usingDevSecrets,
    api: {
      port: e.PORT,
      host: e.HOST,
      apiKeys: e.API_KEYS,
      publicBaseUrl: e.PUBLIC_BASE_URL ?? `http://127.0.0.1:${e.PORT}`,
      readyTaskQueues: readyTaskQueues(e.READY_TASK_QUEUES, e.LANE_MODE),
    },
    webhooks: {
      bodyLimitBytes: e.WEBHOOK_BODY_LIMIT_BYTES,
      toleranceMs: e.WEBHOOK_TOLERANCE,
      ackDeadlineMs: e.WEBHOOK_ACK_DEADLINE,
      admission: {
        enabled: e.WEBHOOK_ADMISSION,
        targetMs: e.WEBHOOK_ADMISSION_TARGET,
        min: e.WEBHOOK_ADMISSION_MIN,
        max: e.WEBHOOK_ADMISSION_MAX,
        initial: e.WEBHOOK_ADMISSION_INITIAL,
      },
      replicateSecrets: e.REPLICATE_WEBHOOK_SECRETS,
      genericSecrets: e.GENERIC_WEBHOOK_SECRETS,
      genericLegacyUntimed: e.GENERIC_WEBHOOK_LEGACY_UNTIMED,
      urlTokenKeys,
      videoJobMaxEvents: e.VIDEO_JOB_MAX_EVENTS,
    },
    temporal: {
      /** Undefined means: the local stack starts and owns a dev server. */
      address: profile.address,
      namespace: profile.namespace ?? e.TEMPORAL_NAMESPACE,
      /** API key, TLS and gRPC metadata for every connection (src/temporal/connection-options.ts). */
      connection: { apiKey: profile.apiKey, tls: profile.tls, metadata: profile.metadata },
      devServerPort: e.TEMPORAL_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
      devServerExtraArgs: e.TEMPORAL_DEV_SERVER_ARGS,
      /** Undefined means: the urgent lane shares the one server. */
      urgentAddress: e.URGENT_TEMPORAL_ADDRESS,
      /** Undefined means: the urgent lane shares the one namespace. */
      urgentNamespace: e.URGENT_TEMPORAL_NAMESPACE,
      urgentDevServerPort: e.URGENT_TEMPORAL_PORT,
      urgentUiPort: e.URGENT_TEMPORAL_UI_PORT,
      urgentDevServerExtraArgs: e.URGENT_TEMPORAL_DEV_SERVER_ARGS,
    },
    payloadEncryption: {
      keys: encryptionKeys,
      codecCorsOrigins: e.CODEC_CORS_ORIGINS ?? [
        `http://127.0.0.1:${e.TEMPORAL_UI_PORT}`,
        `http://localhost:${e.TEMPORAL_UI_PORT}`,
        `http://127.0.0.1:${e.URGENT_TEMPORAL_UI_PORT}`,
        `http://localhost:${e.URGENT_TEMPORAL_UI_PORT}`,
      ],
      codecTokens: e.CODEC_AUTH_TOKENS ?? [],
      codecTrustLoopback: e.CODEC_TRUST_LOOPBACK ?? false,
      /** What `npm start` and `start:cluster` hand their API: their local Web UI cannot send a token. */
      localStackTrustsLoopback: e.CODEC_TRUST_LOOPBACK ?? e.NODE_ENV !== 'production',
      codecLoopbackHosts: e.CODEC_LOOPBACK_HOSTS ?? [
        `127.0.0.1:${e.PORT}`,
        `localhost:${e.PORT}`,
        `[::1]:${e.PORT}`,
      ],
      requireEncrypted: e.PAYLOAD_REQUIRE_ENCRYPTION ?? e.NODE_ENV === 'production',
    },
    dataDir,
    storageDir: resolve(dataDir, 'videos'),
    objectStore: {
      backend: e.STORAGE_BACKEND,
      /** Undefined: AWS S3 (or, in start:cluster, the profile's own object store). */
      endpoint: e.S3_ENDPOINT,
      region: e.S3_REGION,
      bucket: e.S3_BUCKET,
      prefix: e.S3_PREFIX,
      forcePathStyle: e.S3_FORCE_PATH_STYLE,
      credentials:
        e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
          ? { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY }
          : undefined,
      partSize: e.S3_PART_SIZE,
      clusterPort: e.CLUSTER_OBJECT_STORE_PORT,
    },
    lanes: {
      mode: e.LANE_MODE,
      urgent: { activitySlots: e.URGENT_ACTIVITY_SLOTS, workflowSlots: e.URGENT_WORKFLOW_SLOTS },
      video: {
        activitySlots: e.VIDEO_ACTIVITY_SLOTS,
        workflowSlots: e.VIDEO_WORKFLOW_SLOTS,
        queueActivitiesPerSecond: e.VIDEO_QUEUE_ACTIVITIES_PER_SECOND,
        shutdownGraceMs: e.VIDEO_WORKER_SHUTDOWN_GRACE,
      },
      tenantFairnessWeights: parseWeights(e.TENANT_FAIRNESS_WEIGHTS),
    },
    autoscale: {
      enabled: e.VIDEO_AUTOSCALE === 'on',
      minReplicas: e.AUTOSCALE_MIN_REPLICAS,
      maxReplicas: e.AUTOSCALE_MAX_REPLICAS,
      intervalMs: e.AUTOSCALE_INTERVAL,
      backlogPerReplica: e.AUTOSCALE_BACKLOG_PER_REPLICA,
      maxBacklogAgeMs: e.AUTOSCALE_MAX_BACKLOG_AGE,
      cooldownMs: e.AUTOSCALE_COOLDOWN,
      metricsPort: e.AUTOSCALE_METRICS_PORT,
      /** Busy share (0…1) of this machine's CPU above which no replica is added; undefined: no ceiling. */
      cpuCeiling: e.AUTOSCALE_CPU_CEILING,
    },
    workerMetrics: {
      host: e.WORKER_METRICS_HOST,
      ports: { urgent: e.URGENT_WORKER_METRICS_PORT, video: e.VIDEO_WORKER_METRICS_PORT },
    },
    workerParentPid: e.WORKER_PARENT_PID,
    provider: {
      baseUrl: e.PROVIDER_BASE_URL,
      apiToken: e.PROVIDER_API_TOKEN,
      modelVersion: e.PROVIDER_MODEL_VERSION,
      reconcileAfterMs: e.RECONCILE_AFTER,
      downloadAllowedHosts: e.DOWNLOAD_ALLOWED_HOSTS,
      downloadAllowedAddresses:
        e.DOWNLOAD_ALLOWED_ADDRESSES ?? (e.NODE_ENV === 'production' ? [] : ['127.0.0.1', '::1']),
      downloadAllowedPorts:
        e.DOWNLOAD_ALLOWED_PORTS ?? (e.NODE_ENV === 'production' ? [443] : [443, e.PROVIDER_SIM_PORT]),
      downloadMaxBytes: e.DOWNLOAD_MAX_BYTES,
    },
    mail: {
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM,
    },
    passwordReset: {
      urlBase: e.PASSWORD_RESET_URL_BASE,
      ttlMs: e.PASSWORD_RESET_TTL,
      cooldownMs: e.PASSWORD_RESET_COOLDOWN,
      idKey: e.PASSWORD_RESET_ID_KEY,
      limits: {
        perUser: e.PASSWORD_RESET_USER_LIMIT,
        perAddress: e.PASSWORD_RESET_ADDRESS_LIMIT,
        windowMs: e.PASSWORD_RESET_LIMIT_WINDOW,
        overallPerSecond: e.PASSWORD_RESET_OVERALL_LIMIT,
      },
    },
    stack: {
      providerSimPort: e.PROVIDER_SIM_PORT,
      smtpSinkPort: e.SMTP_SINK_PORT,
      restartChildren: e.STACK_RESTART_CHILDREN,
      backgroundNice: e.STACK_BACKGROUND_NICE,
      runsVideoLane: e.STACK_VIDEO_LANE === 'on',
      ownUrgentServer: e.STACK_URGENT_SERVER === 'own',
    },
    cluster: {
      postgresPort: e.CLUSTER_POSTGRES_PORT,
      portBase: e.CLUSTER_PORT_BASE,
      urgentPortBase: e.CLUSTER_URGENT_PORT_BASE,
      /** Undefined: the file shared with docker-compose.yml. */
      dynamicConfigFile: e.CLUSTER_DYNAMIC_CONFIG_FILE && resolve(e.CLUSTER_DYNAMIC_CONFIG_FILE),
      postgresBinDir: e.POSTGRES_BIN_DIR,
      postgresOsUser: e.POSTGRES_OS_USER,
      postgresStateDir: resolve(e.POSTGRES_STATE_DIR),
      dir: resolve(dataDir, 'cluster'),
      apiReplicas: e.API_REPLICAS,
      apiReplicaPortBase: e.API_REPLICA_PORT_BASE,
      nginxBin: e.NGINX_BIN,
    },
  };
}

/** Production never trusts loopback nor reads plaintext payloads; a codec token is never an API key. */
function payloadPrivacyProblem(e: z.output<typeof configSchema>): string | undefined {
  if (e.NODE_ENV === 'production' && e.CODEC_TRUST_LOOPBACK)
    return 'CODEC_TRUST_LOOPBACK: development only, refused with NODE_ENV=production (set CODEC_AUTH_TOKENS)';
  if (e.NODE_ENV === 'production' && e.PAYLOAD_REQUIRE_ENCRYPTION === false)
    return 'PAYLOAD_REQUIRE_ENCRYPTION: cannot be false with NODE_ENV=production';
  const requireEncrypted = e.PAYLOAD_REQUIRE_ENCRYPTION ?? e.NODE_ENV === 'production';
  if (requireEncrypted && e.PAYLOAD_ENCRYPTION_KEYS === 'off')
    return 'PAYLOAD_ENCRYPTION_KEYS: cannot be off while encryption is required (NODE_ENV=production or PAYLOAD_REQUIRE_ENCRYPTION)';
  if (e.CODEC_AUTH_TOKENS?.some((t) => e.API_KEYS.includes(t)))
    return 'CODEC_AUTH_TOKENS: a codec token must not also be an API key';
  return undefined;
}

/** By default every lane of the mode must have a worker: `npm start` runs one per lane. */
function readyTaskQueues(listed: string[] | undefined, mode: 'dedicated' | 'shared'): string[] {
  if (listed?.length === 1 && listed[0] === 'none') return [];
  return listed ?? (mode === 'shared' ? ['shared'] : ['urgent', 'video']);
}

function parseWeights(spec: string): Record<string, number> {
  const weights: Record<string, number> = {};
  for (const pair of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [tenant, weight] = pair.split('=');
    const w = Number(weight);
    if (!tenant || !Number.isFinite(w) || w <= 0) {
      throw new ConfigError(
        `invalid configuration:\n  TENANT_FAIRNESS_WEIGHTS: "${pair}" is not tenant=weight`,
      );
    }
    weights[tenant] = w;
  }
  return weights;
}
