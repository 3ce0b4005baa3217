import { compressedSchedule } from '../storm/retry-schedule.js';
import { newRetryCounters, retryingFetch, type RetryCounters } from '../storm/retrying-fetch.js';
import type { MailLog } from './mail-log.js';

export interface ResetRecord {
  email: string;
  sentAt: number;
  /** The API's final answer (after the sender's retries), or `network`. */
  status: number | 'network';
}

export interface ResetTrafficResult {
  resets: ResetRecord[];
  /** Every answer that was not final: 503s, network errors, timeouts. */
  sender: RetryCounters;
}

/**
 * Password resets at a steady pace, as a product backend sends them: each retried on 503 and
 * connection errors like the storm's calls. Unique addresses, so each mail can be matched.
 */
export function startResetTraffic(opts: { apiUrl: string; apiKey: string; everyMs: number; tag: string }): {
  stop(): Promise<ResetTrafficResult>;
} {
  const counters = newRetryCounters();
  const send = retryingFetch({ scheduleMs: compressedSchedule(), attemptTimeoutMs: 10_000, counters });
  const resets: ResetRecord[] = [];
  const inFlight = new Set<Promise<void>>();
  let n = 0;
  const timer = setInterval(() => {
    n += 1;
    const record: ResetRecord = {
      email: `${opts.tag}-${n}@example.com`,
      sentAt: Date.now(),
      status: 'network',
    };
    resets.push(record);
    const p = send(`${opts.apiUrl}/password-resets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${opts.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userId: `${opts.tag}-user-${n}`, email: record.email }),
    })
      .then((res) => void (record.status = res.status))
      .catch(() => undefined)
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }, opts.everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all([...inFlight]);
      return { resets, sender: counters };
    },
  };
}

/** Waits (bounded) until every accepted reset is mailed; returns each one's delay, or undefined if missing. */
export async function waitForResetMails(
  mail: MailLog,
  resets: readonly ResetRecord[],
  timeoutMs: number,
): Promise<Array<number | undefined>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const delays = resets.map((r) => {
      const at = mail.arrived(r.email);
      return at === undefined ? undefined : Math.max(0, at - r.sentAt);
    });
    const missing = resets.filter((r, i) => r.status === 202 && delays[i] === undefined).length;
    if (missing === 0 || Date.now() > deadline) return delays;
    await new Promise((r) => setTimeout(r, 500));
  }
}
