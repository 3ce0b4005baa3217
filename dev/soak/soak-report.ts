import { isReplica, pidChanges, replicaCounts } from './replica-series.js';

export interface SoakSample {
  atMs: number;
  processes: Record<
    string,
    { pid: number; rssBytes: number; fds: number; processes?: number; sharedBytes?: number } | undefined
  >;
  storageBytes: number;
  /** Storage by part (the cluster's databases, object store, DATA_DIR), in bytes. */
  storage?: Record<string, number>;
}

export interface ProcessGrowth {
  service: string;
  rssStartMb: number;
  rssEndMb: number;
  rssGrowthPercent: number;
  /**
   * RSS growth from the middle of the judged part to its end: a leak keeps growing there, a cache
   * filling up during the first half does not. Reported beside the verdict, as its evidence.
   */
  rssLastHalfGrowthPercent: number;
  fdsStart: number;
  fdsEnd: number;
  /** Different PIDs seen after warm-up: the process died and was restarted. */
  restarts: number;
  /** Processes a grouped row summed (PostgreSQL, nginx), after warm-up and at the end. */
  processesStart?: number;
  processesEnd?: number;
  /** A group's shared memory (PostgreSQL's buffer cache), reported, not judged: its size is a setting. */
  sharedStartMb?: number;
  sharedEndMb?: number;
  /**
   * False for an autoscaled replica that was not there, with one process, in every sample after
   * warm-up: its start and end are not the same process, so its growth is not judged.
   */
  judged: boolean;
  /** An autoscaled replica's number started again after it was stopped (not a restart). */
  returns: number;
}

export interface SoakLimits {
  maxRssGrowthPercent: number;
  maxFdGrowth: number;
}

export interface SoakReport {
  processes: ProcessGrowth[];
  storage: StorageGrowth;
  /** Each storage part's growth, when samples have parts. */
  storageParts: Array<StorageGrowth & { part: string }>;
  /** The autoscaled video replicas after warm-up: how many at the start, end, least, most, and changes. */
  replicas?: { start: number; end: number; min: number; max: number; changes: number };
  breaches: string[];
}

export interface StorageGrowth {
  startMb: number;
  endMb: number;
  mbPerHour: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : 0;
};
const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;

/**
 * Compares the start of the measured part (after warm-up) with its end, each as the median of
 * a few samples so one GC pause or burst does not decide: RSS growth per process, open
 * descriptors, restarts, and storage growth per hour.
 */
export function soakReport(samples: readonly SoakSample[], warmUpMs: number, limits: SoakLimits): SoakReport {
  const measured = samples.filter((s) => s.atMs >= warmUpMs);
  const window = Math.max(1, Math.min(3, Math.floor(measured.length / 3)));
  const head = measured.slice(0, window);
  const tail = measured.slice(-window);
  const midStart = Math.max(0, Math.floor(measured.length / 2) - Math.floor(window / 2));
  const middle = measured.slice(midStart, midStart + window);
  const services = [...new Set(measured.flatMap((s) => Object.keys(s.processes)))];
  const breaches: string[] = [];
  if (measured.length < 2) breaches.push(`only ${measured.length} samples after warm-up: run longer`);
  const processes = services.map((service): ProcessGrowth => {
    const of = (
      xs: readonly SoakSample[],
      pick: (p: NonNullable<SoakSample['processes'][string]>) => number,
    ) =>
      median(
        xs
          .map((s) => s.processes[service])
          .filter((p) => p !== undefined)
          .map(pick)
          .filter((n) => Number.isFinite(n)),
      );
    const rssStart = of(head, (p) => p.rssBytes);
    const rssEnd = of(tail, (p) => p.rssBytes);
    const growthFrom = (from: number) => (from ? ((rssEnd - from) / from) * 100 : 0);
    const growth = growthFrom(rssStart);
    const replica = isReplica(service);
    const pidSeries = measured.map((s) => s.processes[service]?.pid);
    const changes = pidChanges(pidSeries, replica);
    const counted = (xs: readonly SoakSample[]) => of(xs, (p) => p.processes ?? NaN);
    const grouped = measured.some((s) => s.processes[service]?.processes !== undefined);
    const g: ProcessGrowth = {
      service,
      rssStartMb: mb(rssStart),
      rssEndMb: mb(rssEnd),
      rssGrowthPercent: Math.round(growth * 10) / 10,
      rssLastHalfGrowthPercent: Math.round(growthFrom(of(middle, (p) => p.rssBytes)) * 10) / 10,
      fdsStart: of(head, (p) => p.fds),
      fdsEnd: of(tail, (p) => p.fds),
      restarts: changes.restarts,
      ...(grouped && {
        processesStart: counted(head),
        processesEnd: counted(tail),
        sharedStartMb: mb(of(head, (p) => p.sharedBytes ?? 0)),
        sharedEndMb: mb(of(tail, (p) => p.sharedBytes ?? 0)),
      }),
      judged: !replica || (pidSeries.every((p) => p !== undefined) && new Set(pidSeries).size === 1),
      returns: changes.returns,
    };
    if (!g.judged) {
      if (g.restarts > 0) breaches.push(`${service}: restarted ${g.restarts} time(s) during the soak`);
      return g;
    }
    if (g.rssGrowthPercent >= limits.maxRssGrowthPercent)
      breaches.push(`${service}: RSS grew ${g.rssGrowthPercent} % (limit ${limits.maxRssGrowthPercent} %)`);
    // A group's descriptors are judged per process: its process count follows its clients' pools.
    const perProcess = (fds: number, n?: number) => (grouped && n ? fds / n : fds);
    const fdGrowth = perProcess(g.fdsEnd, g.processesEnd) - perProcess(g.fdsStart, g.processesStart);
    if (fdGrowth > limits.maxFdGrowth)
      breaches.push(
        `${service}: open descriptors ${g.fdsStart} → ${g.fdsEnd}` +
          (grouped ? ` (${g.processesStart} → ${g.processesEnd} processes)` : '') +
          ` (limit +${limits.maxFdGrowth}${grouped ? ' per process' : ''})`,
      );
    if (g.restarts > 0) breaches.push(`${service}: restarted ${g.restarts} time(s) during the soak`);
    return g;
  });
  const storage = growthOf(measured.map((s) => ({ atMs: s.atMs, bytes: s.storageBytes })));
  const parts = [...new Set(measured.flatMap((s) => Object.keys(s.storage ?? {})))];
  const storageParts = parts.map((part) => ({
    part,
    ...growthOf(
      measured
        .filter((s) => s.storage?.[part] !== undefined)
        .map((s) => ({ atMs: s.atMs, bytes: s.storage![part]! })),
    ),
  }));
  const report: SoakReport = { processes, storage, storageParts, breaches };
  if (services.some(isReplica)) {
    const { counts, changes } = replicaCounts(measured);
    report.replicas = {
      start: counts[0] ?? 0,
      end: counts.at(-1) ?? 0,
      min: Math.min(...counts),
      max: Math.max(...counts),
      changes,
    };
  }
  return report;
}

/** First and last of a series, and the rate between them per hour. */
function growthOf(series: ReadonlyArray<{ atMs: number; bytes: number }>): StorageGrowth {
  const first = series[0];
  const last = series.at(-1);
  const hours = first && last ? (last.atMs - first.atMs) / 3_600_000 : 0;
  return {
    startMb: mb(first?.bytes ?? 0),
    endMb: mb(last?.bytes ?? 0),
    mbPerHour: hours > 0 ? Math.round((mb((last?.bytes ?? 0) - (first?.bytes ?? 0)) / hours) * 10) / 10 : 0,
  };
}
