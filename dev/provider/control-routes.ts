import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChaosKnobs } from './chaos.js';
import { HttpError, readJson, sendJson } from './http-io.js';
import { isHttpUrl } from './prediction-routes.js';
import type { ProviderStats } from './provider-stats.js';

const MAX_ADOPT_PER_CALL = 10_000;

export interface ControlDeps {
  stats(): ProviderStats;
  resetStats(): void;
  chaos(): ChaosKnobs;
  setChaos(update: Partial<ChaosKnobs>): void;
  /** One prediction per URL (each video's own webhook URL, token included); returns their ids. */
  adopt(webhookUrls: string[]): string[];
}

/**
 * The simulator's own control surface under `/_sim/`, so a storm run in another process can
 * read counts, turn chaos knobs and create unsolicited predictions. Local development only.
 */
export async function handleControlRoute(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  deps: ControlDeps,
): Promise<boolean> {
  if (!path.startsWith('/_sim/')) return false;
  const route = `${req.method} ${path}`;
  if (route === 'GET /_sim/stats') {
    sendJson(res, 200, deps.stats());
  } else if (route === 'POST /_sim/stats/reset') {
    deps.resetStats();
    sendJson(res, 200, deps.stats());
  } else if (route === 'GET /_sim/chaos') {
    sendJson(res, 200, deps.chaos());
  } else if (route === 'POST /_sim/chaos') {
    try {
      deps.setChaos((await readJson(req)) as Partial<ChaosKnobs>);
    } catch (err) {
      if (err instanceof RangeError) throw new HttpError(400, err.message);
      throw err;
    }
    sendJson(res, 200, deps.chaos());
  } else if (route === 'POST /_sim/adopt') {
    const { webhookUrls } = await readJson(req);
    if (
      !Array.isArray(webhookUrls) ||
      webhookUrls.length < 1 ||
      webhookUrls.length > MAX_ADOPT_PER_CALL ||
      !webhookUrls.every(isHttpUrl)
    ) {
      throw new HttpError(400, `webhookUrls: 1 to ${MAX_ADOPT_PER_CALL} http(s) URLs`);
    }
    sendJson(res, 201, { ids: deps.adopt(webhookUrls as string[]) });
  } else {
    throw new HttpError(404, 'not found');
  }
  return true;
}
