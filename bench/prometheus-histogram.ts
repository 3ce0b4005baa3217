/**
 * One Prometheus histogram read from a /metrics page, for "how many of these calls took at
 * most 50 ms" seen from inside the stack. Buckets are cumulative counts keyed by their upper
 * bound in seconds; two scrapes subtracted give the calls made between them.
 */
export type Buckets = Map<number, number>;

/** Sums the series of `name` whose labels include every `labels` pair, bucket by bucket. */
export function parseHistogram(text: string, name: string, labels: Record<string, string>): Buckets {
  const buckets: Buckets = new Map();
  const prefix = `${name}_bucket{`;
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const close = line.indexOf('}');
    const labelText = line.slice(prefix.length, close);
    if (!hasLabels(labelText, labels)) continue;
    const le = /(?:^|,)le="([^"]+)"/.exec(labelText)?.[1];
    const count = Number(
      line
        .slice(close + 1)
        .trim()
        .split(/\s+/)[0],
    );
    if (le === undefined || !Number.isFinite(count)) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + count);
  }
  return buckets;
}

/** The histogram at `url`, or undefined when the page cannot be read (the figure is then left out). */
export async function scrapeHistogram(
  url: string,
  name: string,
  labels: Record<string, string>,
): Promise<Buckets | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) return undefined;
    return parseHistogram(await res.text(), name, labels);
  } catch {
    return undefined;
  }
}

/** Calls observed between two scrapes of the same histogram. */
export function bucketsBetween(before: Buckets, after: Buckets): Buckets {
  const delta: Buckets = new Map();
  for (const [bound, count] of after) delta.set(bound, count - (before.get(bound) ?? 0));
  return delta;
}

export interface WithinBound {
  calls: number;
  /** Share of the calls that took at most `boundSeconds` (0–1). */
  share: number;
}

/** How many of the calls finished within `boundSeconds`, which must be one of the bucket bounds. */
export function shareWithin(buckets: Buckets, boundSeconds: number): WithinBound | undefined {
  const calls = buckets.get(Infinity) ?? 0;
  const within = buckets.get(boundSeconds);
  if (within === undefined || calls === 0) return undefined;
  return { calls, share: within / calls };
}

/**
 * The sum of the series of the counter `name` on the page at `url` whose labels include every
 * `labels` pair (all of them when none are given), or undefined if the page is unreadable.
 */
export async function scrapeCounterTotal(
  url: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) return undefined;
    return (await res.text())
      .split('\n')
      .filter(
        (line) => (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) && hasLabels(line, labels),
      )
      .reduce((sum, line) => sum + Number(line.trim().split(/\s+/).at(-1)), 0);
  } catch {
    return undefined;
  }
}

/** Whether a series' label text holds every `labels` pair. */
function hasLabels(labelText: string, labels: Record<string, string>): boolean {
  return Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`));
}

/** A single-series gauge's value (for instance the API's event-loop delay p99), or undefined. */
export const scrapeGauge = scrapeCounterTotal;
