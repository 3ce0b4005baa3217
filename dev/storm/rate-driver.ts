export interface RateDriverOptions {
  total: number;
  perSecond: number;
  /** Jobs due within one window are created together, as one burst. */
  burstMs: number;
  createBurst(count: number): Promise<void>;
  signal?: AbortSignal;
}

/**
 * Creates `total` jobs at `perSecond`, one burst per window. The loop is bounded by the number
 * of windows the total needs; a slow burst delays the next one rather than piling them up.
 */
export async function driveAtRate(opts: RateDriverOptions): Promise<void> {
  const perBurst = Math.max(1, opts.perSecond * (opts.burstMs / 1000));
  const windows = Math.ceil(opts.total / perBurst);
  const started = performance.now();
  let created = 0;
  for (let w = 1; w <= windows && created < opts.total; w += 1) {
    if (opts.signal?.aborted) return;
    const due = Math.min(opts.total, Math.round(perBurst * w));
    if (due > created) await opts.createBurst(due - created);
    created = due;
    const wait = started + w * opts.burstMs - performance.now();
    if (w < windows && wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}
