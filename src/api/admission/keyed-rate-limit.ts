export interface KeyedRateLimitOptions {
  /** Requests admitted per key inside any window. */
  limit: number;
  windowMs: number;
  /** Least time between two admitted requests of one key (0: none). */
  minIntervalMs?: number;
}

/**
 * "At most `limit` per key in any `windowMs`" as a sliding log of admission times. A key is
 * kept only while it has an admission inside its window, so memory follows what was admitted,
 * never what was refused.
 */
export class KeyedRateLimit {
  private readonly log = new Map<string, number[]>();
  private sweepAt = 1_024;

  constructor(private readonly opts: KeyedRateLimitOptions) {}

  /** Milliseconds until `key` may be admitted again; 0 when it may be now. */
  waitMs(key: string, now: number): number {
    const times = this.recent(key, now);
    if (times.length === 0) return 0;
    const spacing = times[times.length - 1]! + (this.opts.minIntervalMs ?? 0) - now;
    const full =
      times.length >= this.opts.limit ? times[times.length - this.opts.limit]! + this.opts.windowMs - now : 0;
    return Math.max(0, spacing, full);
  }

  /** Records an admission; call only after `waitMs` said 0 for every limit involved. */
  take(key: string, now: number): void {
    const times = this.recent(key, now);
    times.push(now);
    if (times.length > this.opts.limit) times.shift();
    this.log.set(key, times);
    if (this.log.size >= this.sweepAt) this.sweep(now);
  }

  /** Gives back the admission `take` recorded at `at` (the request was not carried out). */
  untake(key: string, at: number): void {
    const times = this.log.get(key);
    const i = times?.lastIndexOf(at) ?? -1;
    if (i >= 0) times!.splice(i, 1);
    if (times?.length === 0) this.log.delete(key);
  }

  get size(): number {
    return this.log.size;
  }

  private recent(key: string, now: number): number[] {
    const times = this.log.get(key);
    if (!times) return [];
    while (times.length > 0 && times[0]! <= now - this.opts.windowMs) times.shift();
    if (times.length === 0) this.log.delete(key);
    return times;
  }

  /** Drops keys with nothing left in their window; runs each time the map doubles. */
  private sweep(now: number): void {
    for (const key of [...this.log.keys()]) this.recent(key, now);
    this.sweepAt = Math.max(1_024, this.log.size * 2);
  }
}
