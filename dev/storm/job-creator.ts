import { answerKey } from '../provider/answer-key.js';
import type { StormMode } from './args.js';
import type { ProviderControl } from './provider-control.js';

export interface CreatedJob {
  videoId: string;
  via: 'submit' | 'adopt';
}

export interface JobCreatorDeps {
  mode: StormMode;
  apiUrl: string;
  apiKey: string;
  provider: ProviderControl;
  /** How `POST /videos` is sent (the storm retries like a real sender); plain fetch by default. */
  send?: (url: string, init: RequestInit) => Promise<Response>;
  /** Called for every `POST /videos` answer (its `answerKey`, or `network`), for latency and 5xx accounting. */
  onSubmitAnswer(answer: string, ms: number): void;
}

const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];

/**
 * Creates one burst of jobs: `submit` asks Floodgate (`POST /videos`), `adopt` does what a
 * product backend that creates its own predictions does — asks Floodgate for the video's
 * webhook URL (`POST /videos/webhook-url`), then has the provider start a prediction reporting
 * there — `mixed` alternates. Failed calls are reported and not counted as jobs.
 */
export function createJobCreator(deps: JobCreatorDeps): (count: number) => Promise<CreatedJob[]> {
  let sequence = 0;
  const run = Math.random().toString(36).slice(2, 8);
  const apiHeaders = { authorization: `Bearer ${deps.apiKey}`, 'content-type': 'application/json' };

  /** The video's own webhook URL, token included, as Floodgate issues it. */
  async function webhookUrlFor(n: number): Promise<{ videoId: string; webhookUrl: string } | undefined> {
    try {
      const res = await (deps.send ?? fetch)(`${deps.apiUrl}/videos/webhook-url`, {
        method: 'POST',
        headers: apiHeaders,
        body: JSON.stringify({ videoId: `adopt-${run}-${n}`, tenantId: TENANTS[n % TENANTS.length] }),
        signal: AbortSignal.timeout(30_000),
      });
      if (res.status !== 200) return undefined;
      return (await res.json()) as { videoId: string; webhookUrl: string };
    } catch {
      return undefined;
    }
  }

  async function adopt(numbers: number[]): Promise<CreatedJob[]> {
    if (numbers.length === 0) return [];
    const issued = (await Promise.all(numbers.map(webhookUrlFor))).filter((u) => u !== undefined);
    if (issued.length === 0) return [];
    await deps.provider.adopt(issued.map((u) => u.webhookUrl));
    return issued.map(({ videoId }) => ({ videoId, via: 'adopt' }));
  }

  async function submit(n: number): Promise<CreatedJob | undefined> {
    const started = performance.now();
    try {
      const res = await (deps.send ?? fetch)(`${deps.apiUrl}/videos`, {
        method: 'POST',
        headers: apiHeaders,
        body: JSON.stringify({
          tenantId: TENANTS[n % TENANTS.length],
          plan: n % 3 === 0 ? 'paid' : 'free',
          input: { prompt: `storm video ${n}` },
        }),
        signal: AbortSignal.timeout(30_000),
      });
      deps.onSubmitAnswer(answerKey(res.status, res.headers.get('retry-after')), performance.now() - started);
      if (res.status !== 202) return undefined;
      const { videoId } = (await res.json()) as { videoId: string };
      return { videoId, via: 'submit' };
    } catch {
      deps.onSubmitAnswer('network', performance.now() - started);
      return undefined;
    }
  }

  return async (count) => {
    const numbers = Array.from({ length: count }, () => (sequence += 1));
    const submitted = numbers.filter((n) => deps.mode === 'submit' || (deps.mode === 'mixed' && n % 2 === 0));
    const adopted = numbers.filter((n) => !submitted.includes(n));
    const [fromSubmit, fromAdopt] = await Promise.all([Promise.all(submitted.map(submit)), adopt(adopted)]);
    return [...fromSubmit.filter((j): j is CreatedJob => j !== undefined), ...fromAdopt];
  };
}
