import type { ChaosKnobs } from '../provider/chaos.js';
import type { ProviderStats } from '../provider/provider-stats.js';
import type { SimulatedProvider } from '../provider/simulated-provider.js';

/** What the storm needs from the simulated provider, in-process or over its `/_sim/` routes. */
export interface ProviderControl {
  stats(): Promise<ProviderStats>;
  resetStats(): Promise<void>;
  setChaos(update: Partial<ChaosKnobs>): Promise<void>;
  /** One prediction nobody submitted per URL; returns the prediction ids. */
  adopt(webhookUrls: string[]): Promise<string[]>;
}

export function inProcessProvider(provider: SimulatedProvider): ProviderControl {
  return {
    stats: async () => provider.stats(),
    resetStats: async () => provider.resetStats(),
    setChaos: async (update) => provider.setChaos(update),
    adopt: async (webhookUrls) => provider.adopt(webhookUrls),
  };
}

/** `send` defaults to plain fetch; the storm passes its retrying sender. */
export function httpProvider(
  baseUrl: string,
  send: (url: string, init: RequestInit) => Promise<Response> = fetch,
): ProviderControl {
  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await send(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`provider ${method} ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  }
  return {
    stats: () => call<ProviderStats>('GET', '/_sim/stats'),
    resetStats: async () => void (await call('POST', '/_sim/stats/reset')),
    setChaos: async (update) => void (await call('POST', '/_sim/chaos', update)),
    adopt: async (webhookUrls) => (await call<{ ids: string[] }>('POST', '/_sim/adopt', { webhookUrls })).ids,
  };
}
