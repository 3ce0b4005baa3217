export interface AdaptiveLimitOptions {
  initial: number;
  min: number;
  max: number;
  /** Latency at or under which a completed request lets the limit grow. */
  targetMs: number;
}

/**
 * A concurrency limit that follows latency (AIMD): each request answered within the target
 * raises the limit by 1/limit (about +1 per round of requests); a slow or failed one cuts it by
 * 10 %, at most once per target interval so one slow spell is not punished many times over.
 */
export class AdaptiveLimit {
  private value: number;
  private lastCutAt = 0;
  inFlight = 0;

  constructor(private readonly opts: AdaptiveLimitOptions) {
    this.value = Math.min(opts.max, Math.max(opts.min, opts.initial));
  }

  get limit(): number {
    return Math.floor(this.value);
  }

  /** Takes a slot, or returns false when the limit is reached. */
  tryAcquire(): boolean {
    if (this.inFlight >= this.limit) return false;
    this.inFlight += 1;
    return true;
  }

  release(latencyMs: number, ok: boolean, now = Date.now()): void {
    this.inFlight -= 1;
    if (ok && latencyMs <= this.opts.targetMs) {
      this.value = Math.min(this.opts.max, this.value + 1 / this.value);
    } else if (now - this.lastCutAt >= this.opts.targetMs) {
      this.lastCutAt = now;
      this.value = Math.max(this.opts.min, this.value * 0.9);
    }
  }
}
