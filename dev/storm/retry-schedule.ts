/**
 * Standard Webhooks' suggested redelivery schedule, after the first attempt: 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h, 10 h. A local run cannot wait hours, so the storm keeps its shape
 * and divides it by a factor (300 by default: 0.25 s, 1 s, 6 s, 24 s, 60 s, 2 min, 2 min),
 * which still rides out a 60 s outage before giving up.
 */
export const STANDARD_WEBHOOKS_DELAYS_MS = [
  5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
] as const;

export const DEFAULT_COMPRESSION = 300;

/** Delays before each retry; none is shorter than `floorMs`. */
export function compressedSchedule(factor = DEFAULT_COMPRESSION, floorMs = 250): number[] {
  if (!(factor >= 1)) throw new RangeError('compression factor must be >= 1');
  return STANDARD_WEBHOOKS_DELAYS_MS.map((ms) => Math.max(floorMs, Math.round(ms / factor)));
}
