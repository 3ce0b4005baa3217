import type { SmtpSink } from '../dev/smtp-sink/smtp-sink.js';

export interface ProbeOptions {
  /** POSTs one reset request; resolves with the HTTP status. */
  request(userId: string, email: string): Promise<number>;
  sink: SmtpSink;
  perSecond: number;
  durationMs: number;
  /** How long a request may wait for its mail before it counts as lost. */
  deliveryTimeoutMs: number;
  /** Updated as the probe runs, for progress lines. */
  counters?: ProbeCounters;
}

export interface ProbeCounters {
  sent: number;
  delivered: number;
  lost: number;
  slowestMs: number;
}

export interface ProbeResult {
  /** Request sent → mail accepted by the SMTP sink, ms. */
  latenciesMs: number[];
  rejected: number;
  undelivered: number;
}

/**
 * Password resets at a steady rate, each for a new user, each timed from just before the
 * HTTP request to the moment the SMTP sink accepted its mail.
 */
export async function probeResets(opts: ProbeOptions): Promise<ProbeResult> {
  const run = Math.random().toString(36).slice(2, 8);
  const total = Math.max(1, Math.round((opts.durationMs / 1000) * opts.perSecond));
  const intervalMs = 1000 / opts.perSecond;
  const started = Date.now();
  const probes: Array<Promise<number | 'rejected' | 'undelivered'>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + i * intervalMs;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    probes.push(probeOne(opts, `bench-${run}-${i}`));
  }
  const outcomes = await Promise.all(probes);
  return {
    latenciesMs: outcomes.filter((o): o is number => typeof o === 'number'),
    rejected: outcomes.filter((o) => o === 'rejected').length,
    undelivered: outcomes.filter((o) => o === 'undelivered').length,
  };
}

async function probeOne(opts: ProbeOptions, userId: string): Promise<number | 'rejected' | 'undelivered'> {
  const counters = opts.counters ?? { sent: 0, delivered: 0, lost: 0, slowestMs: 0 };
  const email = `${userId}@bench.example.test`;
  const sentAt = Date.now();
  counters.sent += 1;
  const status = await opts.request(userId, email).catch(() => 0);
  if (status !== 202) {
    counters.lost += 1;
    return 'rejected';
  }
  try {
    const mail = await opts.sink.waitFor((m) => m.to.includes(email), opts.deliveryTimeoutMs);
    const latencyMs = mail.receivedAt.getTime() - sentAt;
    counters.delivered += 1;
    counters.slowestMs = Math.max(counters.slowestMs, latencyMs);
    return latencyMs;
  } catch {
    counters.lost += 1;
    return 'undelivered';
  }
}
