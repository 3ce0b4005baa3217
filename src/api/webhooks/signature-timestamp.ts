/**
 * A signed timestamp header (unix seconds, up to 12 digits) within the tolerance either way:
 * checked before any HMAC, so a captured delivery stops verifying once the tolerance has passed.
 */
export function timestampWithinTolerance(timestamp: string, toleranceMs: number, nowMs: number): boolean {
  return /^\d{1,12}$/.test(timestamp) && Math.abs(nowMs - Number(timestamp) * 1000) <= toleranceMs;
}
