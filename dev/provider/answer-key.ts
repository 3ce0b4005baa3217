/** The key for a 503 that did not say when to come back: a failure, unlike a 503 with Retry-After. */
export const BARE_503 = '503 without Retry-After';

/**
 * How a failed attempt is counted: its status, except that a 503 without `Retry-After` gets a
 * key of its own. A 503 with `Retry-After` is Floodgate's documented "come back later" (Temporal
 * unreachable, admission control); one without it is not.
 */
export function answerKey(status: number, retryAfter: string | null): string {
  return status === 503 && !retryAfter ? BARE_503 : String(status);
}
