import type { SmtpSink } from '../dev/smtp-sink/smtp-sink.js';

export interface ProbeOptions {
  /** POSTs one reset request; resolves with the HTTP status. */
  request(userId: string, email: string): Promise<number>;
  sink: SmtpSink;
  perSecond: number;
  durationMs: number;
  /** How long a request may wait for its mail before it counts as lost. */
  deliveryTimeoutMs: number;
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
  const email = `${userId}@bench.example.test`;
  const sentAt = Date.now();
  const status = await opts.request(userId, email).catch(() => 0);
  if (status !== 202) return 'rejected';
  try {
    const mail = await opts.sink.waitFor((m) => m.to.includes(email), opts.deliveryTimeoutMs);
    return mail.receivedAt.getTime() - sentAt;
  } catch {
    return 'undelivered';
  }
}
