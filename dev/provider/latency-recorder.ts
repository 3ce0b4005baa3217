export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending-sorted list; 0 for an empty one. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? 0),
  };
}

/**
 * Keeps latency samples with bounded memory: every sample up to `capacity`, then a uniform
 * reservoir sample, so a long storm's percentiles stay representative.
 */
export class LatencyRecorder {
  private samples: number[] = [];
  private seen = 0;

  constructor(private readonly capacity = 100_000) {}

  record(ms: number): void {
    this.seen += 1;
    if (this.samples.length < this.capacity) {
      this.samples.push(ms);
      return;
    }
    const slot = Math.floor(Math.random() * this.seen);
    if (slot < this.capacity) this.samples[slot] = ms;
  }

  summary(): LatencySummary {
    return { ...summarize(this.samples), count: this.seen };
  }

  reset(): void {
    this.samples = [];
    this.seen = 0;
  }
}
