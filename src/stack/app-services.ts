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

/** The video lane's processes. The cluster profile's autoscaler replaces the plain worker here. */
export function videoLaneServices(env: Record<string, string>): ServiceSpec[] {
  return [{ name: 'worker-video', entry: join(root, 'src/workers/video.ts'), env }];
}

export function appServices(
  config: Config,
  env: Record<string, string>,
  videoLane: (env: Record<string, string>) => ServiceSpec[] = videoLaneServices,
): ServiceSpec[] {
  const workers: ServiceSpec[] =
    config.lanes.mode === 'shared'
      ? [{ name: 'worker-shared', entry: join(root, 'src/workers/urgent.ts'), env }]
      : [{ name: 'worker-urgent', entry: join(root, 'src/workers/urgent.ts'), env }, ...videoLane(env)];
  return [
    { name: 'smtp-sink', entry: join(root, 'dev/smtp-sink/main.ts'), env },
    { name: 'provider-sim', entry: join(root, 'dev/provider/main.ts'), env },
    { name: 'api', entry: join(root, 'src/api/server.ts'), env },
    ...workers,
  ];
}

/** Children inherit the environment; derived addresses follow the configured ports unless set. */
export function childEnv(config: Config, temporalAddress: string): Record<string, string> {
  const env: Record<string, string> = { TEMPORAL_ADDRESS: temporalAddress, DATA_DIR: config.dataDir };
  if (!process.env.SMTP_URL) env.SMTP_URL = `smtp://127.0.0.1:${config.stack.smtpSinkPort}`;
  if (!process.env.PROVIDER_BASE_URL)
    env.PROVIDER_BASE_URL = `http://127.0.0.1:${config.stack.providerSimPort}`;
  return env;
}

export async function waitForApi(config: Config, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${config.api.port}/readyz`, {
        signal: AbortSignal.timeout(1_000),
      });
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
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
    `  Lanes          ${config.lanes.mode === 'shared' ? 'shared (comparison mode)' : 'urgent, video'}`,
  ];
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
