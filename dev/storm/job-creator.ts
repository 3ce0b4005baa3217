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
 * Creates one burst of jobs: `submit` asks Floodgate (`POST /videos`), `adopt` has the
 * provider start predictions nobody submitted, `mixed` alternates. Failed submits are
 * reported and not counted as jobs.
 */
export function createJobCreator(deps: JobCreatorDeps): (count: number) => Promise<CreatedJob[]> {
  let sequence = 0;
  const webhookUrl = `${deps.apiUrl}/webhooks/replicate`;

  async function submit(n: number): Promise<CreatedJob | undefined> {
    const started = performance.now();
    try {
      const res = await (deps.send ?? fetch)(`${deps.apiUrl}/videos`, {
        method: 'POST',
        headers: { authorization: `Bearer ${deps.apiKey}`, 'content-type': 'application/json' },
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
    const adoptCount = count - submitted.length;
    const [fromSubmit, adoptedIds] = await Promise.all([
      Promise.all(submitted.map(submit)),
      adoptCount > 0 ? deps.provider.adopt(adoptCount, webhookUrl) : Promise.resolve([]),
    ]);
    return [
      ...fromSubmit.filter((j): j is CreatedJob => j !== undefined),
      ...adoptedIds.map((videoId): CreatedJob => ({ videoId, via: 'adopt' })),
    ];
  };
}
