import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mergeChaos, NO_CHAOS, type ChaosKnobs } from './chaos.js';
import { handleControlRoute } from './control-routes.js';
import { serveFile } from './file-route.js';
import { HttpError, sendJson } from './http-io.js';
import { DEFAULT_TIMING, PredictionEngine, type PredictionTiming } from './prediction-engine.js';
import { handlePredictionRoute } from './prediction-routes.js';
import { StatsBook, type ProviderStats } from './provider-stats.js';
import { TimerSet } from './timer-set.js';
import { DEFAULT_DELIVERY, WebhookSender, type DeliveryPolicy } from './webhook-sender.js';

export type { ChaosKnobs } from './chaos.js';
export type { ProviderStats } from './provider-stats.js';

export interface SimulatedProviderOptions {
  port: number;
  host?: string;
  /** Bearer token the prediction API requires. */
  apiToken: string;
  /** Standard Webhooks signing secret (`whsec_…`). */
  webhookSecret: string;
  chaos?: Partial<ChaosKnobs>;
  timing?: Partial<PredictionTiming>;
  delivery?: Partial<DeliveryPolicy>;
  /** Size of every output file (default 64 KiB). */
  fileSizeBytes?: number;
}

export interface SimulatedProvider {
  url: string;
  port: number;
  stats(): ProviderStats;
  resetStats(): void;
  chaos(): ChaosKnobs;
  setChaos(update: Partial<ChaosKnobs>): void;
  /** Creates predictions nobody submitted, one per webhook URL. Returns their ids. */
  adopt(webhookUrls: string[]): string[];
  stop(): Promise<void>;
}

/**
 * A stand-in for Replicate on plain node:http: the prediction API, output files with Range,
 * and Standard-Webhooks-signed webhooks with real-sender redelivery, plus chaos knobs and a
 * `/_sim/` control surface.
 */
export async function startSimulatedProvider(opts: SimulatedProviderOptions): Promise<SimulatedProvider> {
  const host = opts.host ?? '127.0.0.1';
  let chaos = mergeChaos(NO_CHAOS, opts.chaos ?? {});
  let url = '';
  const stats = new StatsBook();
  const timers = new TimerSet();
  const sender = new WebhookSender(
    opts.webhookSecret,
    { ...DEFAULT_DELIVERY, ...opts.delivery },
    stats,
    timers,
  );
  const engine = new PredictionEngine({
    baseUrl: () => url,
    chaos: () => chaos,
    timing: { ...DEFAULT_TIMING, ...opts.timing },
    stats,
    timers,
    sender,
  });
  const fileSizeBytes = opts.fileSizeBytes ?? 64 * 1024;

  const control = {
    stats: () => stats.snapshot({ active: engine.active, queued: sender.queued, inFlight: sender.inFlight }),
    resetStats: () => stats.reset(),
    chaos: () => chaos,
    setChaos: (update: Partial<ChaosKnobs>) => {
      chaos = mergeChaos(chaos, update);
    },
    adopt: (webhookUrls: string[]) =>
      webhookUrls.map(
        (webhook) =>
          engine.create({
            version: 'floodgate/dev-video-model',
            input: { prompt: 'adopted' },
            webhook,
            adopted: true,
          }).id,
      ),
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://sim').pathname;
    if (
      await handlePredictionRoute(req, res, path, {
        apiToken: opts.apiToken,
        engine,
        stats,
        chaos: () => chaos,
      })
    ) {
      return;
    }
    if (await handleControlRoute(req, res, path, control)) return;
    const file = /^\/files\/([a-z0-9]+)\.mp4$/.exec(path);
    if (file && (req.method === 'GET' || req.method === 'HEAD')) {
      serveFile(req, res, engine.get(file[1]!), {
        chaos,
        stats,
        timers,
        sizeBytes: fileSizeBytes,
      });
      return;
    }
    throw new HttpError(404, 'not found');
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const detail = err instanceof HttpError ? err.message : 'internal error';
      if (!res.headersSent) sendJson(res, status, { detail });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  url = `http://${host}:${port}`;

  let stopped: Promise<void> | undefined;
  return {
    url,
    port,
    ...control,
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        timers.clearAll();
        sender.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
