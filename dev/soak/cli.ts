import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { stackClientTlsEnv } from '../../src/cluster/cluster-tls.js';
import { DEV_DEFAULTS, loadConfig } from '../../src/config.js';
import { connectionOptions } from '../../src/temporal/connection-options.js';
import { MailLog } from '../faults/mail-log.js';
import { startNpmStack, type NpmStartStack } from '../faults/npm-start-process.js';
import { startResetTraffic, waitForResetMails } from '../faults/reset-traffic.js';
import { summarize } from '../provider/latency-recorder.js';
import { httpProvider } from '../storm/provider-control.js';
import { compressedSchedule } from '../storm/retry-schedule.js';
import { newRetryCounters, retryingFetch } from '../storm/retrying-fetch.js';
import { runStorm } from '../storm/run-storm.js';
import { clusterStorageSampler } from './cluster-storage.js';
import { crashesIn, isReplica } from './replica-series.js';
import { sampleProcess, sqliteBytes } from './process-sample.js';
import { parseSoakArgs, USAGE, type SoakArgs } from './soak-args.js';
import { soakReport, type SoakSample } from './soak-report.js';
import { soakTable, type ResetTally } from './soak-table.js';
import { sampleStackProcesses } from './stack-processes.js';

const SERVICES = ['temporal', 'api', 'worker-urgent', 'worker-video', 'provider-sim', 'smtp-sink'];
const log = (line: string) => process.stderr.write(`${line}\n`);
const megabytes = (bytes = 0) => `${Math.round(bytes / 1048576)}M`;

/**
 * What one sample reads: `npm start`'s fixed services and its SQLite file; on the cluster
 * profile every PID file's process and the storage parts (the databases' total stands for
 * Temporal's storage, the last one read if PostgreSQL did not answer this time).
 */
function stackSampler(stack: NpmStartStack, args: SoakArgs) {
  if (args.profile !== 'cluster') {
    return async () => ({
      processes: Object.fromEntries(
        SERVICES.map((name) => {
          const pid = stack.pid(name);
          return [name, pid ? sampleProcess(pid) : undefined];
        }),
      ),
      storageBytes: sqliteBytes(join(stack.dataDir, 'temporal.sqlite')),
    });
  }
  const storage = clusterStorageSampler(loadConfig({ STORAGE_BACKEND: 's3', ...process.env, ...stack.env }));
  let databases = 0;
  return async () => {
    const processes = sampleStackProcesses(join(stack.dataDir, 'run'));
    const parts = await storage();
    const db = Object.entries(parts).filter(([k]) => k.startsWith('db '));
    if (db.length) databases = db.reduce((sum, [, b]) => sum + b, 0);
    return { processes, storageBytes: databases, storage: parts };
  };
}

async function main(): Promise<number> {
  const args = parseSoakArgs(process.argv.slice(2));
  if (!args) {
    process.stdout.write(USAGE);
    return 0;
  }
  const cluster = args.profile === 'cluster';
  log(
    `soak: ${cluster ? 'npm run start:cluster' : 'npm start'}, ${args.webhooksPerMinute}/min for ` +
      `${args.durationMs / 60_000} min (warm-up ${args.warmUpMs / 1000} s)`,
  );
  if (cluster) {
    // The cluster's programs are built (once, then cached) only when this profile needs them.
    const ensure = spawnSync(process.execPath, ['scripts/ensure-cluster-binaries.mjs', '--quiet-if-cached'], {
      stdio: 'inherit',
    });
    if (ensure.status !== 0) throw new Error('the cluster binaries are missing and could not be built');
  }
  // The cluster's first start creates a database cluster and its schema: give it longer.
  const stack = await startNpmStack({ LOG_LEVEL: 'warn' }, cluster ? 300_000 : 180_000, args.profile);
  const stop = () => void stack.stop().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const connection = await Connection.connect(
    // A start:cluster stack takes only its own client certificate.
    connectionOptions(
      loadConfig({ ...process.env, ...stackClientTlsEnv(stack.dataDir) }),
      stack.temporalAddress,
    ),
  );
  const client = new Client({ connection });
  const started = Date.now();
  const samples: SoakSample[] = [];
  const read = stackSampler(stack, args);
  let lastMinute = -1;
  // Where the stack's output stood when the warm-up ended: crashes after it are judged.
  let outputAtWarmUp: number | undefined;
  const sample = async () => {
    const atMs = Date.now() - started;
    if (atMs >= args.warmUpMs) outputAtWarmUp ??= stack.output().length;
    samples.push({ atMs, ...(await read()) });
    const minute = Math.floor(atMs / 60_000);
    if (minute === lastMinute) return;
    lastMinute = minute;
    const s = samples.at(-1)!;
    const rss = Object.entries(s.processes).map(([name, p]) => `${name} ${p ? megabytes(p.rssBytes) : '-'}`);
    const storage = Object.entries(s.storage ?? { sqlite: s.storageBytes }).map(
      ([part, b]) => `${part} ${megabytes(b)}`,
    );
    log(`soak: ${Math.round(atMs / 1000)} s · RSS ${rss.join(' ')} · ${storage.join(', ')}`);
  };
  // Sampling runs beside the storm until told to stop; one sample at a time, bounded by `sampling`.
  let sampling = true;
  let wake = () => undefined as void;
  const sampler = (async () => {
    while (sampling) {
      // A sample that fails (a file gone mid-read) is skipped, not the end of the soak.
      await sample().catch((err: unknown) => log(`soak: sample skipped: ${String(err)}`));
      await new Promise<void>((resolve) => {
        if (!sampling) return resolve();
        const timer = setTimeout(resolve, args.sampleEveryMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();
  const stopSampling = async () => {
    sampling = false;
    wake();
    await sampler;
  };
  const resetTraffic =
    args.resetEveryMs > 0
      ? startResetTraffic({
          apiUrl: stack.apiUrl,
          apiKey: DEV_DEFAULTS.apiKey,
          everyMs: args.resetEveryMs,
          tag: 'soak',
        })
      : undefined;
  let lost = 0;
  let jobs = 0;
  let rounds = 0;
  let retentionHours: number | undefined;
  let resets: ResetTally | undefined;
  try {
    const { config } = await client.workflowService.describeNamespace({ namespace: 'default' });
    retentionHours = Number(config?.workflowExecutionRetentionTtl?.seconds ?? 0) / 3600 || undefined;
    const counters = newRetryCounters();
    const send = retryingFetch({ scheduleMs: compressedSchedule(), attemptTimeoutMs: 30_000, counters });
    const roundMs = Math.min(60_000, args.durationMs);
    // Bounded: at most one round per minute of the duration, and it stops when the time is up.
    for (
      let round = 0;
      round < Math.ceil(args.durationMs / roundMs) && Date.now() - started < args.durationMs;
      round += 1
    ) {
      const jobsPerSecond = args.webhooksPerMinute / 60 / 3;
      const summary = await runStorm({
        mode: 'mixed',
        jobs: Math.round((jobsPerSecond * roundMs) / 1000),
        jobsPerSecond,
        burstMs: 1_000,
        chaos: {},
        apiUrl: stack.apiUrl,
        apiKey: DEV_DEFAULTS.apiKey,
        provider: httpProvider(stack.providerUrl, send),
        client,
        timeoutMs: 5 * 60_000,
        send,
        senderCounters: counters,
      });
      rounds += 1;
      jobs += summary.jobs.created;
      lost += summary.outcomes.lost;
      log(
        `soak: ${Math.round((Date.now() - started) / 1000)} s, round ${rounds}: ${summary.jobs.created} jobs, ` +
          `lost ${summary.outcomes.lost}, ack p99 ${summary.ackLatencyMs.p99} ms`,
      );
    }
    if (resetTraffic) {
      const { resets: sent } = await resetTraffic.stop();
      const delays = await waitForResetMails(new MailLog(join(stack.dataDir, 'mail')), sent, 120_000);
      const accepted = sent.filter((r) => r.status === 202).length;
      const mailed = delays.filter((d) => d !== undefined);
      resets = {
        sent: sent.length,
        refused: sent.length - accepted,
        mailed: mailed.length,
        lost: sent.filter((r, i) => r.status === 202 && delays[i] === undefined).length,
        delayMs: summarize(mailed),
      };
    }
  } finally {
    await resetTraffic?.stop();
    await stopSampling();
    await sample().catch((err: unknown) => log(`soak: last sample skipped: ${String(err)}`));
    await connection.close();
    await stack.stop();
  }
  const report = soakReport(samples, args.warmUpMs, args);
  if (lost > 0) report.breaches.push(`${lost} jobs lost`);
  // A replica crash restarted after more than a sample looks like the autoscaler's stop and start.
  const crashes = crashesIn(stack.output().slice(outputAtWarmUp ?? Infinity));
  for (const [service, n] of Object.entries(crashes)) {
    const restarts = report.processes.find((p) => p.service === service)?.restarts ?? 0;
    if (isReplica(service) && n > restarts) {
      report.breaches.push(`${service}: crashed ${n} time(s) (the stack's output)`);
    }
  }
  if (resets?.lost) report.breaches.push(`${resets.lost} password resets accepted and never mailed`);
  if (resets?.refused) report.breaches.push(`${resets.refused} password resets refused after retries`);
  const plateauMb =
    retentionHours !== undefined
      ? Math.round(report.storage.endMb + report.storage.mbPerHour * retentionHours)
      : undefined;
  const lines = [
    `soak (${args.profile}): ${rounds} rounds, ${jobs} jobs, lost ${lost}, ${samples.length} samples; judged after ${args.warmUpMs / 1000} s`,
    '',
    ...soakTable(report, resets),
    '',
    `Temporal storage${cluster ? ' (its databases)' : ''}: ${report.storage.startMb} MB → ${report.storage.endMb} MB (${report.storage.mbPerHour} MB/h); ` +
      (retentionHours !== undefined
        ? `namespace retention ${retentionHours} h: closed runs are deleted after it, so at this rate it levels off near ${plateauMb} MB`
        : 'namespace retention unknown'),
    report.breaches.length ? `BREACHES:\n  ${report.breaches.join('\n  ')}` : 'no breach',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const file =
    args.json ?? join('bench', 'results', `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ args, rounds, jobs, lost, resets, crashes, retentionHours, plateauMb, report, samples }, null, 2)}\n`,
  );
  process.stdout.write(`results: ${file}\n`);
  return report.breaches.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`soak: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
