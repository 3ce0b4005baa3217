/**
 * What can go wrong on the provider's side, per knob. Percentages are 0–100 and are rolled
 * independently for every webhook event, status request, file request or prediction.
 */
export interface ChaosKnobs {
  /** Webhook events never sent; the job must be recovered by polling. */
  dropPercent: number;
  /** Webhook events sent twice with the same webhook-id. */
  duplicatePercent: number;
  /** Deliver a prediction's events in shuffled order once it is terminal. */
  reorder: boolean;
  /** Extra random delay before each webhook event is sent, [min, max] ms. */
  delayMs: [number, number];
  /** `GET /v1/predictions/:id` answers 500. */
  statusErrorPercent: number;
  /** `GET /files/:id.mp4` answers 500. */
  fileErrorPercent: number;
  /** Predictions that end `failed` instead of `succeeded`. */
  failurePercent: number;
  /** File download speed cap; 0 means unthrottled. */
  fileBytesPerSecond: number;
  /** File downloads whose connection is cut halfway through the body. */
  truncatePercent: number;
}

export const NO_CHAOS: ChaosKnobs = {
  dropPercent: 0,
  duplicatePercent: 0,
  reorder: false,
  delayMs: [0, 0],
  statusErrorPercent: 0,
  fileErrorPercent: 0,
  failurePercent: 0,
  fileBytesPerSecond: 0,
  truncatePercent: 0,
};

/** True with the given probability in percent. */
export function roll(percent: number): boolean {
  return percent > 0 && Math.random() * 100 < percent;
}

export function randomBetween([min, max]: readonly [number, number]): number {
  return min + Math.random() * Math.max(0, max - min);
}

/** Merges a partial update into the knobs, rejecting values that make no sense. */
export function mergeChaos(current: ChaosKnobs, update: Partial<ChaosKnobs>): ChaosKnobs {
  const next = { ...current, ...update };
  const percents = [
    'dropPercent',
    'duplicatePercent',
    'statusErrorPercent',
    'fileErrorPercent',
    'failurePercent',
    'truncatePercent',
  ] as const;
  for (const key of percents) {
    const v = next[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100) {
      throw new RangeError(`chaos.${key} must be a number from 0 to 100`);
    }
  }
  const [min, max] = next.delayMs ?? [];
  if (typeof min !== 'number' || typeof max !== 'number' || min < 0 || max < min) {
    throw new RangeError('chaos.delayMs must be [min, max] with 0 <= min <= max');
  }
  if (typeof next.fileBytesPerSecond !== 'number' || next.fileBytesPerSecond < 0) {
    throw new RangeError('chaos.fileBytesPerSecond must be >= 0');
  }
  if (typeof next.reorder !== 'boolean') throw new RangeError('chaos.reorder must be a boolean');
  return next;
}
