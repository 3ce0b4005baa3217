import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { Webhook } from 'standardwebhooks';
import { videoWebhookUrl } from '../../src/api/webhooks/video-webhook-url.js';
import { parseUrlTokenKeys } from '../../src/api/webhooks/webhook-url-token.js';
import { DEV_DEFAULTS } from '../../src/config.js';
import { videoWorkflowId } from '../../src/shared/video-job.js';
import { summarize, type LatencySummary } from '../provider/latency-recorder.js';
import { httpProvider } from '../storm/provider-control.js';
import { compressedSchedule } from '../storm/retry-schedule.js';
import { newRetryCounters, retryingFetch, type RetryCounters } from '../storm/retrying-fetch.js';
import { runStorm } from '../storm/run-storm.js';
import type { StormSummary } from '../storm/summary.js';
import type { Fault, FaultTarget } from './fault-catalog.js';
import { MailLog } from './mail-log.js';
import type { NpmStartStack } from './npm-start-process.js';
import { startResetTraffic, waitForResetMails } from './reset-traffic.js';

/** What a fault run needs of a stack: its addresses, its data folder and its processes' PIDs. */
export type FaultStack = Pick<NpmStartStack, 'dataDir' | 'apiUrl' | 'providerUrl' | 'uiUrl' | 'pid'> &
  Partial<Pick<NpmStartStack, 'storageDir' | 'objectStoreHealthUrl'>>;

export interface FaultRunOptions {
  stack: FaultStack;
  client: Client;
  apiKey: string;
  fault: Fault;
  webhooksPerMinute: number;
  /** How long the storm creates jobs (and resets are sent). */
  loadMs: number;
  /** When, after the load starts, the fault is injected. */
  faultAtMs: number;
  /** How long an outage fault lasts. */
  windowMs: number;
  resetEveryMs: number;
  /** How long to wait after the load for every job to be terminal and every reset mailed. */
  settleTimeoutMs: number;
  onProgress?(line: string): void;
}

export interface FaultResult {
  fault: string;
  what: string;
  /** What senders saw: the provider's webhook deliveries, the storm's own calls, the resets. */
  seen: {
    webhookAttempts: number;
    webhookFailures: Record<string, number>;
    webhookGaveUp: number;
    stormCalls: RetryCounters;
    resets: number;
    resetFailures: Record<string, number>;
    /** Request → mail accepted by the SMTP sink, for every reset of the run. */
    resetDelayMs: LatencySummary;
  };
  jobs: {
    created: number;
    completed: number;
    failed: number;
    recoveredAfterGiveUp: number;
    oneFileEach: boolean;
  };
  lost: { jobs: number; resets: number; lostJobIds: string[] };
  /**
   * Fault over (kill sent, or window ended) → /readyz 200, a reset sent after it mailed, a video
   * job's first task run, and the fault's own check (e.g. a new process in place) passed.
   */
  recoveryMs: number | null;
  ok: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * One fault under load: a storm at the given rate with password resets running, the fault
 * injected part-way, then every job and every accepted reset followed to its end.
 */
export async function runFault(opts: FaultRunOptions): Promise<FaultResult> {
  const { stack } = opts;
  const mail = new MailLog(join(stack.dataDir, 'mail'));
  const tag = `f${Date.now().toString(36)}`;
  const stormCounters = newRetryCounters();
  const send = retryingFetch({
    scheduleMs: compressedSchedule(),
    attemptTimeoutMs: 30_000,
    counters: stormCounters,
  });
  const provider = httpProvider(stack.providerUrl, send);
  const jobsPerSecond = opts.webhooksPerMinute / 60 / 3;
  const progress = opts.onProgress ?? (() => undefined);

  const resets = startResetTraffic({
    apiUrl: stack.apiUrl,
    apiKey: opts.apiKey,
    everyMs: opts.resetEveryMs,
    tag,
  });
  const storm = runStorm({
    mode: 'mixed',
    jobs: Math.max(1, Math.round((jobsPerSecond * opts.loadMs) / 1000)),
    jobsPerSecond,
    burstMs: 1_000,
    chaos: {},
    apiUrl: stack.apiUrl,
    apiKey: opts.apiKey,
    provider,
    client: opts.client,
    timeoutMs: opts.settleTimeoutMs,
    storageDir: stack.storageDir ?? join(stack.dataDir, 'videos'),
    send,
    senderCounters: stormCounters,
    onProgress: (line) => progress(`  ${opts.fault.name}: ${line}`),
  });
  // A storm that fails early must not leave an unhandled rejection while the fault runs.
  const stormDone: Promise<StormSummary | Error> = storm.catch((err: unknown) =>
    err instanceof Error ? err : new Error(String(err)),
  );

  await sleep(opts.faultAtMs);
  progress(`  ${opts.fault.name}: injecting (${opts.fault.what})`);
  const target: FaultTarget = {
    pid: (service) => stack.pid(service),
    setProviderChaos: (update) => provider.setChaos(update),
    uiUrl: stack.uiUrl,
    objectStoreHealthUrl: stack.objectStoreHealthUrl,
  };
  await opts.fault.inject(target, opts.windowMs);
  const faultEnd = Date.now();
  progress(`  ${opts.fault.name}: fault over; waiting for recovery`);
  const recoveryMs = await measureRecovery(
    stack,
    opts.client,
    opts.apiKey,
    mail,
    faultEnd,
    tag,
    opts.settleTimeoutMs,
    () => opts.fault.recovered?.(target) ?? Promise.resolve(true),
  );
  progress(`  ${opts.fault.name}: recovered in ${recoveryMs ?? 'never'} ms; finishing the load`);

  const stormResult = await stormDone;
  const { resets: sentResets, sender: resetCounters } = await resets.stop();
  if (stormResult instanceof Error) throw stormResult;
  const delays = await waitForResetMails(mail, sentResets, opts.settleTimeoutMs);
  const lostResets = sentResets.filter((r, i) => r.status === 202 && delays[i] === undefined).length;
  const refusedResets = sentResets.filter((r) => r.status !== 202).length;
  const s = stormResult;
  const oneFileEach = !s.storage || (s.storage.missing.length === 0 && s.storage.multiple.length === 0);
  const result: FaultResult = {
    fault: opts.fault.name,
    what: opts.fault.what,
    seen: {
      webhookAttempts: s.webhooks.attempts,
      webhookFailures: s.webhooks.failedByStatus,
      webhookGaveUp: s.webhooks.gaveUp,
      stormCalls: s.sender,
      resets: sentResets.length,
      resetFailures: resetCounters.failedByStatus,
      resetDelayMs: summarize(delays.filter((d): d is number => d !== undefined)),
    },
    jobs: {
      created: s.jobs.created,
      completed: s.outcomes.completed,
      failed: s.outcomes.failed,
      recoveredAfterGiveUp: s.outcomes.recoveredAfterGiveUp,
      oneFileEach,
    },
    lost: { jobs: s.outcomes.lost, resets: lostResets + refusedResets, lostJobIds: s.lostIds.slice(0, 20) },
    recoveryMs,
    ok: false,
  };
  // A 500 is a bug whatever the fault: Floodgate answers 503 + Retry-After when it cannot accept.
  const internalErrors =
    (s.sender.failedByStatus['500'] ?? 0) +
    (resetCounters.failedByStatus['500'] ?? 0) +
    (s.webhooks.failedByStatus['500'] ?? 0);
  result.ok =
    internalErrors === 0 &&
    result.lost.jobs === 0 &&
    result.lost.resets === 0 &&
    oneFileEach &&
    s.jobs.created === s.jobs.requested &&
    s.outcomes.failed === 0 &&
    recoveryMs !== null;
  return result;
}

/**
 * From the end of the fault, every half second: probe /readyz, send a password reset, and
 * (every few seconds) a signed webhook that adopts a probe video job. Recovered once the stack
 * is ready, a reset sent after the fault has been mailed, a video worker has run a probe
 * job's first task, and the fault's own check passes; the latest of these counts. Probe jobs
 * are terminated afterwards.
 */
async function measureRecovery(
  stack: FaultStack,
  client: Client,
  apiKey: string,
  mail: MailLog,
  faultEnd: number,
  tag: string,
  timeoutMs: number,
  faultRecovered: () => Promise<boolean>,
): Promise<number | null> {
  const deadline = faultEnd + timeoutMs;
  const signer = new Webhook(DEV_DEFAULTS.replicateSecret);
  let readyAt: number | undefined;
  let videoAt: number | undefined;
  let ownAt: number | undefined;
  let lastVideoProbe = 0;
  const resetProbes: string[] = [];
  const videoProbes: string[] = [];
  try {
    for (let i = 0; Date.now() < deadline; i += 1) {
      if (readyAt === undefined) {
        const ready = await fetch(`${stack.apiUrl}/readyz`, { signal: AbortSignal.timeout(3_000) }).catch(
          () => undefined,
        );
        if (ready?.status === 200) readyAt = Date.now();
      }
      const email = `${tag}-probe-${i}@example.com`;
      const res = await fetch(`${stack.apiUrl}/password-resets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ userId: `${tag}-probe-${i}`, email }),
        signal: AbortSignal.timeout(10_000),
      }).catch(() => undefined);
      if (res?.status === 202) resetProbes.push(email);
      if (videoAt === undefined && Date.now() - lastVideoProbe > 3_000) {
        lastVideoProbe = Date.now();
        const videoId = `${tag}-probe-v${i}`;
        if ((await adoptProbe(stack.apiUrl, signer, videoId)) === 202) videoProbes.push(videoId);
      }
      if (videoAt === undefined && (await anyTaskCompleted(client, videoProbes))) videoAt = Date.now();
      if (ownAt === undefined && (await faultRecovered())) ownAt = Date.now();
      const mailedAt = resetProbes.map((p) => mail.arrived(p)).find((t) => t !== undefined);
      if (readyAt !== undefined && mailedAt !== undefined && videoAt !== undefined && ownAt !== undefined) {
        return Math.max(readyAt, mailedAt, videoAt, ownAt) - faultEnd;
      }
      await sleep(500);
    }
    return null;
  } finally {
    for (const id of videoProbes) {
      await client.workflow
        .getHandle(videoWorkflowId(id))
        .terminate('fault-suite recovery probe')
        .catch(() => undefined);
    }
  }
}

/** A signed "processing" webhook for a video nobody submitted: Floodgate adopts it as a new job. */
async function adoptProbe(apiUrl: string, signer: Webhook, videoId: string): Promise<number | undefined> {
  const id = `msg_${videoId}`;
  const now = new Date();
  const body = JSON.stringify({ id: `pred-${videoId}`, status: 'processing', output: null, error: null });
  const url = videoWebhookUrl(apiUrl, parseUrlTokenKeys([DEV_DEFAULTS.webhookUrlKey]), videoId, 'faults');
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signer.sign(id, now, body),
    },
    body,
    signal: AbortSignal.timeout(10_000),
  }).catch(() => undefined);
  return res?.status;
}

/** True once a video worker has completed a workflow task of any probe job. */
async function anyTaskCompleted(client: Client, videoIds: readonly string[]): Promise<boolean> {
  for (const id of videoIds) {
    const history = await client.workflow
      .getHandle(videoWorkflowId(id))
      .fetchHistory()
      .catch(() => undefined);
    const done = (history?.events ?? []).some(
      (e) => e.eventType === proto.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    );
    if (done) return true;
  }
  return false;
}
