import { answerKey } from '../provider/answer-key.js';

export interface RetryCounters {
  /** Calls made by the caller (one per logical request, however many attempts it took). */
  calls: number;
  /** Attempts after the first one. */
  retries: number;
  /** Calls abandoned after the last scheduled retry. */
  gaveUp: number;
  /** Failed attempts by status (see `answerKey`), or `network` / `timeout`. */
  failedByStatus: Record<string, number>;
}

export interface RetryingFetchOptions {
  /** Delay before retry n (n = 1…); its length is the number of retries. */
  scheduleMs: readonly number[];
  /** One attempt without an answer by then is a timeout. */
  attemptTimeoutMs: number;
  counters?: RetryCounters;
  /** Stops waiting between attempts (e.g. the run ends). */
  signal?: AbortSignal;
}

export function newRetryCounters(): RetryCounters {
  return { calls: 0, retries: 0, gaveUp: 0, failedByStatus: {} };
}

/** What a real webhook sender retries: no answer, timeouts, 408, 429 and any 5xx. */
export function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * `fetch` that retries like a webhook sender, on a fixed schedule with jitter (half to full
 * delay, so senders that failed together do not return together); a `Retry-After` longer than
 * the scheduled delay is honoured up to twice that delay. Returns the last response, or throws
 * the last network error once the schedule is used up (counted as a give-up either way).
 */
export function retryingFetch(opts: RetryingFetchOptions) {
  const counters = opts.counters ?? newRetryCounters();
  return async (url: string, init: RequestInit = {}): Promise<Response> => {
    counters.calls += 1;
    for (let attempt = 0; ; attempt += 1) {
      const timeout = AbortSignal.timeout(opts.attemptTimeoutMs);
      let failure: string;
      let retryAfterMs = 0;
      try {
        const res = await fetch(url, { ...init, signal: timeout });
        if (!retryable(res.status)) return res;
        failure = answerKey(res.status, res.headers.get('retry-after'));
        retryAfterMs = Number(res.headers.get('retry-after')) * 1000 || 0;
        if (attempt >= opts.scheduleMs.length) {
          counters.failedByStatus[failure] = (counters.failedByStatus[failure] ?? 0) + 1;
          counters.gaveUp += 1;
          return res;
        }
        await res.arrayBuffer().catch(() => undefined);
      } catch (err) {
        failure = timeout.aborted ? 'timeout' : 'network';
        if (attempt >= opts.scheduleMs.length || opts.signal?.aborted) {
          counters.failedByStatus[failure] = (counters.failedByStatus[failure] ?? 0) + 1;
          counters.gaveUp += 1;
          throw err;
        }
      }
      counters.failedByStatus[failure] = (counters.failedByStatus[failure] ?? 0) + 1;
      const scheduled = opts.scheduleMs[attempt]!;
      const delay = Math.min(
        Math.max(scheduled / 2 + Math.random() * (scheduled / 2), retryAfterMs),
        scheduled * 2,
      );
      await sleep(delay, opts.signal);
      counters.retries += 1;
    }
  };
}
