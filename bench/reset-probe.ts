import type { MailFolderWatch } from './mail-folder-watch.js';
export interface ProbeOptions {
  /** POSTs one reset request; resolves with the HTTP status. */
  request(userId: string, email: string): Promise<number>;
  /** Resolves with the epoch ms the mail to `email` arrived where the user would see it. */
  waitForMail(email: string, timeoutMs: number): Promise<number>;
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

/** One reset whose mail arrived; epoch ms on the bench's clock. */
export interface Delivery {
  userId: string;
  sentAt: number;
  /** The API's 202 arrived. */
  answeredAt: number;
  /** The mail landed in the SMTP sink's folder. */
  receivedAt: number;
}

export interface ProbeResult {
  delivered: Delivery[];
  /** Request sent → mail landed, ms, one per delivery. */
  latenciesMs: number[];
  rejected: number;
  undelivered: number;
}

type Outcome = Delivery | 'rejected' | 'undelivered';

/** `ProbeOptions.request` as a product backend makes it: `POST /password-resets` on the API. */
export function requestResetOverHttp(apiUrl: string, apiKey: string): ProbeOptions['request'] {
  return async (userId, email) => {
    const res = await fetch(`${apiUrl}/password-resets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userId, email }),
    });
    await res.arrayBuffer();
    return res.status;
  };
}

/**
 * Password resets at a steady rate, each for a new user, each timed from just before the
 * HTTP request to the moment its mail landed.
 */
export async function probeResets(opts: ProbeOptions): Promise<ProbeResult> {
  const run = Math.random().toString(36).slice(2, 8);
  const total = Math.max(1, Math.round((opts.durationMs / 1000) * opts.perSecond));
  const intervalMs = 1000 / opts.perSecond;
  const started = Date.now();
  const counters = opts.counters ?? { sent: 0, delivered: 0, lost: 0, slowestMs: 0 };
  const probes: Array<Promise<Outcome>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + i * intervalMs;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    probes.push(probeOne(opts, `bench-${run}-${i}`, counters));
  }
  const outcomes = await Promise.all(probes);
  const delivered = outcomes.filter((o): o is Delivery => typeof o === 'object');
  return {
    delivered,
    latenciesMs: delivered.map((d) => d.receivedAt - d.sentAt),
    rejected: outcomes.filter((o) => o === 'rejected').length,
    undelivered: outcomes.filter((o) => o === 'undelivered').length,
  };
}

async function probeOne(opts: ProbeOptions, userId: string, counters: ProbeCounters): Promise<Outcome> {
  const email = `${userId}@bench.example.test`;
  const sentAt = Date.now();
  counters.sent += 1;
  const status = await opts.request(userId, email).catch(() => 0);
  const answeredAt = Date.now();
  if (status !== 202) {
    counters.lost += 1;
    return 'rejected';
  }
  try {
    const receivedAt = await opts.waitForMail(email, opts.deliveryTimeoutMs);
    counters.delivered += 1;
    counters.slowestMs = Math.max(counters.slowestMs, receivedAt - sentAt);
    return { userId, sentAt, answeredAt, receivedAt };
  } catch {
    counters.lost += 1;
    return 'undelivered';
  }
}

/**
 * Resets sent over the stack's HTTP API at `perSecond` for a given span, each timed until its
 * `.eml` appears in the watched mail folder: the probe every bench phase and ceiling step runs.
 */
export function stackResetProbe(
  target: { apiUrl: string },
  apiKey: string,
  mail: MailFolderWatch,
  perSecond: number,
): (durationMs: number) => Promise<ProbeResult> {
  const request = requestResetOverHttp(target.apiUrl, apiKey);
  return (durationMs) =>
    probeResets({
      request,
      waitForMail: (email, timeoutMs) => mail.waitFor(email, timeoutMs),
      perSecond,
      durationMs,
      deliveryTimeoutMs: 120_000,
    });
}
