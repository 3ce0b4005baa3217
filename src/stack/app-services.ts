import { join, relative } from 'node:path';
import type { Config } from '../config.js';
import type { ServiceSpec } from './supervisor.js';

/**
 * What both local profiles run beside Temporal — SMTP sink, simulated provider, API and the
 * lane workers — with the environment those children get and the banner printed once the API
 * is ready. `npm start` (dev server) and `npm run start:cluster` differ only in the Temporal
 * part and in how the video lane is run.
 */

const root = new URL('../../', import.meta.url).pathname;

/**
 * The video lane's processes: one worker, or with VIDEO_AUTOSCALE=on (the cluster profile's
 * default) the autoscaler, which runs 1…n video worker processes from the lane's backlog.
 */
export function videoLaneServices(config: Config, env: Record<string, string>): ServiceSpec[] {
  // A video worker drains running downloads on SIGTERM; the autoscaler drains all its replicas.
  const drainMs = config.lanes.video.shutdownGraceMs + 5_000;
  // Video work yields the CPU to the API, the urgent worker and Temporal, so a burst cannot
  // starve a password reset; the autoscaler's replicas inherit its niceness.
  const nice = config.stack.backgroundNice;
  return config.autoscale.enabled
    ? [
        {
          name: 'autoscaler',
          entry: join(root, 'src/workers/autoscaler/main.ts'),
          env,
          stopGraceMs: drainMs + 10_000,
          nice,
        },
      ]
    : [{ name: 'worker-video', entry: join(root, 'src/workers/video.ts'), env, stopGraceMs: drainMs, nice }];
}

export function appServices(
  config: Config,
  env: Record<string, string>,
  videoLane: (config: Config, env: Record<string, string>) => ServiceSpec[] = videoLaneServices,
): ServiceSpec[] {
  const workers: ServiceSpec[] =
    config.lanes.mode === 'shared'
      ? [{ name: 'worker-shared', entry: join(root, 'src/workers/urgent.ts'), env }]
      : [
          { name: 'worker-urgent', entry: join(root, 'src/workers/urgent.ts'), env },
          ...(config.stack.runsVideoLane ? videoLane(config, env) : []),
        ];
  return [
    { name: 'smtp-sink', entry: join(root, 'dev/smtp-sink/main.ts'), env },
    // The simulated provider stands in for the outside world's load: it yields the CPU too.
    {
      name: 'provider-sim',
      entry: join(root, 'dev/provider/main.ts'),
      env,
      nice: config.stack.backgroundNice,
    },
    { name: 'api', entry: join(root, 'src/api/server.ts'), env },
    ...workers,
  ];
}

/** Children inherit the environment; derived addresses follow the configured ports unless set. */
export function childEnv(
  config: Config,
  temporalAddress: string,
  urgentAddress?: string,
): Record<string, string> {
  const env: Record<string, string> = { TEMPORAL_ADDRESS: temporalAddress, DATA_DIR: config.dataDir };
  if (urgentAddress) env.URGENT_TEMPORAL_ADDRESS = urgentAddress;
  if (config.temporal.urgentNamespace) env.URGENT_TEMPORAL_NAMESPACE = config.temporal.urgentNamespace;
  // The local Web UI cannot send a codec token: outside production its API trusts this machine.
  env.CODEC_TRUST_LOOPBACK = String(config.payloadEncryption.localStackTrustsLoopback);
  if (!process.env.SMTP_URL) env.SMTP_URL = `smtp://127.0.0.1:${config.stack.smtpSinkPort}`;
  if (!process.env.PROVIDER_BASE_URL)
    env.PROVIDER_BASE_URL = `http://127.0.0.1:${config.stack.providerSimPort}`;
  return env;
}

/** Ready once every replica answers /readyz on its own port (behind a load balancer) and then PORT does. */
export async function waitForApi(
  config: Config,
  timeoutMs: number,
  replicas: Array<{ url: string }> = [],
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const starting = new Set(replicas.map((r) => r.url));
  while (Date.now() < deadline) {
    for (const url of starting) if (await answersReady(url)) starting.delete(url);
    // Through the load balancer only once no replica is starting: asked earlier, nginx logs an
    // error line for every try that finds no replica up.
    if (!starting.size && (await answersReady(`http://127.0.0.1:${config.api.port}`))) return true;
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

async function answersReady(url: string): Promise<boolean> {
  const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
  return res?.ok === true;
}

/** The banner's lines; `temporalLines` describe the profile's Temporal part. */
export function bannerLines(config: Config, temporalLines: string[]): string[] {
  const rel = relative(process.cwd(), config.dataDir) || '.';
  const lines = [
    '',
    'Floodgate is up',
    `  API            http://127.0.0.1:${config.api.port}`,
    ...temporalLines,
    `  Provider sim   http://127.0.0.1:${config.stack.providerSimPort}`,
    `  SMTP sink      127.0.0.1:${config.stack.smtpSinkPort}  (mail kept in ${rel}/mail/*.eml)`,
    `  Lanes          ${lanesLine(config)}`,
  ];
  const m = config.workerMetrics;
  const metricsAt = (port: number) => (port ? `http://${m.host}:${port}/metrics` : 'off');
  lines.push(`  Worker metrics urgent ${metricsAt(m.ports.urgent)}  video ${metricsAt(m.ports.video)}`);
  if (config.autoscale.enabled && config.lanes.mode !== 'shared') {
    const a = config.autoscale;
    lines.push(
      `  Autoscaler     video ${a.minReplicas}–${a.maxReplicas} replicas (replica n: video port + n - 1), ` +
        `metrics http://${m.host}:${a.metricsPort}/metrics`,
    );
  }
  if (config.payloadEncryption.localStackTrustsLoopback)
    lines.push(
      '  Codec          /codec lets this machine in without a token (CODEC_TRUST_LOOPBACK=true, dev only)',
    );
  if (config.usingDevSecrets) {
    lines.push(
      '  Development secrets in use (set these variables to replace them):',
      `    API_KEYS=${config.api.apiKeys.join(',')}`,
      `    REPLICATE_WEBHOOK_SECRETS=${config.webhooks.replicateSecrets.join(',')}`,
      `    GENERIC_WEBHOOK_SECRETS=${config.webhooks.genericSecrets.join(',')}`,
    );
  }
  lines.push('Ctrl-C stops everything.', '');
  return lines;
}

function lanesLine(config: Config): string {
  if (config.lanes.mode === 'shared') return 'shared (comparison mode)';
  return config.stack.runsVideoLane
    ? 'urgent, video'
    : 'urgent, video (no video worker here: STACK_VIDEO_LANE=off)';
}
