import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { withLocalStackTls } from '../../src/cluster/cluster-tls.js';
import { objectStoreLayout, storedVideosDir } from '../../src/cluster/object-store.js';
import { loadConfig, type Config } from '../../src/config.js';
import { exitOnFailure } from '../../src/exit-on-failure.js';
import { StartupError } from '../../src/startup-error.js';
import { connectClient, temporalAddress } from '../../src/temporal/client.js';
import { ArgsError, parseStormArgs, USAGE, type StormArgs } from './args.js';
import { createProgressLine } from './progress-line.js';
import { httpProvider } from './provider-control.js';
import { compressedSchedule } from './retry-schedule.js';
import { newRetryCounters, retryingFetch } from './retrying-fetch.js';
import { runStorm } from './run-storm.js';
import { formatSummary } from './summary.js';

/** Webhooks each job produces with the default events filter: starting, processing, terminal. */
const WEBHOOKS_PER_JOB = 3;

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/**
 * A dropped terminal webhook is only recovered when its job polls, RECONCILE_AFTER after it
 * started: with drops on and no explicit --timeout, wait at least that long plus a margin.
 */
function waitTimeout(args: StormArgs, reconcileAfterMs: number): number {
  if (args.timeoutMs !== DEFAULT_TIMEOUT_MS || !args.chaos.dropPercent) return args.timeoutMs;
  const needed = reconcileAfterMs + 2 * 60_000;
  if (needed > args.timeoutMs) {
    process.stderr.write(
      `storm: dropped webhooks are recovered by polling after RECONCILE_AFTER (${reconcileAfterMs / 1000} s); ` +
        `waiting up to ${Math.round(needed / 1000)} s. Start the stack with e.g. RECONCILE_AFTER=15s for a quicker run.\n`,
    );
  }
  return Math.max(args.timeoutMs, needed);
}

/**
 * Where a running stack keeps finished videos as files: `start:cluster` sets STORAGE_BACKEND=s3
 * for its own processes and keeps the bucket in a folder under DATA_DIR; `npm start` uses
 * DATA_DIR/videos.
 */
function defaultStorageDir(config: Config): string {
  const asCluster = loadConfig({ ...process.env, STORAGE_BACKEND: 's3' });
  // The bucket's folder exists from the profile's first start; its prefix only once a video is stored.
  const bucket = join(objectStoreLayout(asCluster).dataDir, asCluster.objectStore.bucket);
  return existsSync(bucket) ? storedVideosDir(asCluster) : config.storageDir;
}

/**
 * `npm run storm`: drives the simulated provider against a running stack; exit 1 when the run
 * failed (see `stormPassed`: a loss, a 5xx other than 503 + Retry-After, a job without exactly one file).
 */
async function main(): Promise<number> {
  // Beside `npm run start:cluster`, whose Temporal server requires its client certificate.
  const config = loadConfig(withLocalStackTls(process.env, loadConfig().dataDir));
  const args = parseStormArgs(process.argv.slice(2), {
    webhooksPerSecond: 1500 / 60,
    durationMs: 60_000,
    mode: 'mixed',
    apiUrl: `http://127.0.0.1:${config.api.port}`,
    providerUrl: `http://127.0.0.1:${config.stack.providerSimPort}`,
    apiKey: config.api.apiKeys[0]!,
    temporalAddress: temporalAddress(config),
    timeoutMs: DEFAULT_TIMEOUT_MS,
    burstMs: 1_000,
    storageDir: defaultStorageDir(config),
  });
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const timeoutMs = waitTimeout(args, config.provider.reconcileAfterMs);
  const jobsPerSecond = args.webhooksPerSecond / WEBHOOKS_PER_JOB;
  const jobs = args.jobs ?? Math.max(1, Math.round((jobsPerSecond * args.durationMs) / 1000));
  process.stderr.write(
    `storm: ${jobs} jobs (${args.mode}) at ${(jobsPerSecond * 60).toFixed(0)} jobs/min ≈ ` +
      `${(args.webhooksPerSecond * 60).toFixed(0)} webhooks/min; chaos ${JSON.stringify(args.chaos)}\n`,
  );

  // The storm reads each job's outcome from Temporal: say so in one line when it cannot.
  const client = await connectClient(config, args.temporalAddress).catch((err: unknown) => {
    throw new StartupError(
      `cannot reach Temporal at ${args.temporalAddress} (${(err as Error).message}); start the stack ` +
        'first (npm start or npm run start:cluster). Beside start:cluster, run with its DATA_DIR: ' +
        'its server takes only the client certificate made there',
    );
  });
  // Every call the storm makes itself retries like a real webhook sender.
  const senderCounters = newRetryCounters();
  const send = retryingFetch({
    scheduleMs: compressedSchedule(args.retryCompression),
    attemptTimeoutMs: 30_000,
    counters: senderCounters,
  });
  const progress = createProgressLine();
  try {
    const summary = await runStorm({
      mode: args.mode,
      jobs,
      jobsPerSecond,
      burstMs: args.burstMs,
      chaos: args.chaos,
      apiUrl: args.apiUrl,
      apiKey: args.apiKey,
      provider: httpProvider(args.providerUrl, send),
      send,
      senderCounters,
      client,
      timeoutMs,
      storageDir: args.storageDir,
      onProgress: (line) => progress.update(line),
    });
    progress.done();
    process.stdout.write(`\nstorm summary\n${formatSummary(summary)}\n`);
    return summary.ok ? 0 : 1;
  } finally {
    progress.done();
    await client.connection.close();
  }
}

// Exit 2: the run could not be made (bad arguments, no stack); 1 is kept for "the run failed".
main().then((code) => process.exit(code), exitOnFailure('storm', { code: 2, plain: [ArgsError] }));
