/** gRPC's RESOURCE_EXHAUSTED: a rate limit or a namespace's budget on the server said no. */
const RESOURCE_EXHAUSTED = 8;

/**
 * Whether a Temporal call failed because the server refused it over a budget (per-namespace
 * rate or persistence limits), as opposed to being down or slow. The client wraps the gRPC
 * error, so its code may sit on the error or on its cause.
 */
export function isOverBudget(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === RESOURCE_EXHAUSTED) return true;
  }
  return false;
}

export { RESOURCE_EXHAUSTED };
