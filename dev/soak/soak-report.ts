export interface SoakSample {
  atMs: number;
  processes: Record<string, { pid: number; rssBytes: number; fds: number } | undefined>;
  storageBytes: number;
}

export interface ProcessGrowth {
  service: string;
  rssStartMb: number;
  rssEndMb: number;
  rssGrowthPercent: number;
  fdsStart: number;
  fdsEnd: number;
  /** Different PIDs seen after warm-up: the process died and was restarted. */
  restarts: number;
}

export interface SoakLimits {
  maxRssGrowthPercent: number;
  maxFdGrowth: number;
}

export interface SoakReport {
  processes: ProcessGrowth[];
  storage: { startMb: number; endMb: number; mbPerHour: number };
  breaches: string[];
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
  const services = [...new Set(measured.flatMap((s) => Object.keys(s.processes)))];
  const breaches: string[] = [];
  if (measured.length < 2) breaches.push(`only ${measured.length} samples after warm-up: run longer`);
  const processes = services.map((service): ProcessGrowth => {
    const of = (xs: readonly SoakSample[], pick: (p: { rssBytes: number; fds: number }) => number) =>
      median(
        xs
          .map((s) => s.processes[service])
          .filter((p) => p !== undefined)
          .map(pick),
      );
    const rssStart = of(head, (p) => p.rssBytes);
    const rssEnd = of(tail, (p) => p.rssBytes);
    const growth = rssStart ? ((rssEnd - rssStart) / rssStart) * 100 : 0;
    const pids = new Set(measured.map((s) => s.processes[service]?.pid).filter((p) => p !== undefined));
    const g: ProcessGrowth = {
      service,
      rssStartMb: mb(rssStart),
      rssEndMb: mb(rssEnd),
      rssGrowthPercent: Math.round(growth * 10) / 10,
      fdsStart: of(head, (p) => p.fds),
      fdsEnd: of(tail, (p) => p.fds),
      restarts: Math.max(0, pids.size - 1),
    };
    if (g.rssGrowthPercent >= limits.maxRssGrowthPercent)
      breaches.push(`${service}: RSS grew ${g.rssGrowthPercent} % (limit ${limits.maxRssGrowthPercent} %)`);
    if (g.fdsEnd - g.fdsStart > limits.maxFdGrowth)
      breaches.push(
        `${service}: open descriptors ${g.fdsStart} → ${g.fdsEnd} (limit +${limits.maxFdGrowth})`,
      );
    if (g.restarts > 0) breaches.push(`${service}: restarted ${g.restarts} time(s) during the soak`);
    return g;
  });
  const first = measured[0];
  const last = measured.at(-1);
  const hours = first && last ? (last.atMs - first.atMs) / 3_600_000 : 0;
  const storage = {
    startMb: mb(first?.storageBytes ?? 0),
    endMb: mb(last?.storageBytes ?? 0),
    mbPerHour:
      hours > 0
        ? Math.round((mb((last?.storageBytes ?? 0) - (first?.storageBytes ?? 0)) / hours) * 10) / 10
        : 0,
  };
  return { processes, storage, breaches };
}
