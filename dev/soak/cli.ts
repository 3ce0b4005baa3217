import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { stackClientTlsEnv } from '../../src/cluster/cluster-tls.js';
import { DEV_DEFAULTS, loadConfig } from '../../src/config.js';
import { connectionOptions } from '../../src/temporal/connection-options.js';
import { startNpmStack } from '../faults/npm-start-process.js';
import { httpProvider } from '../storm/provider-control.js';
import { parseDuration, parseRate } from '../storm/args.js';
import { compressedSchedule } from '../storm/retry-schedule.js';
import { newRetryCounters, retryingFetch } from '../storm/retrying-fetch.js';
import { runStorm } from '../storm/run-storm.js';
import { sampleProcess, sqliteBytes } from './process-sample.js';
import { soakReport, type SoakSample } from './soak-report.js';

const USAGE = `npm run soak -- [options]

Starts \`npm start\` on free ports and a temporary DATA_DIR and keeps a webhook storm running
(one-minute rounds, each followed to the end) while it samples every process's RSS and open
file descriptors (Linux /proc) and the size of Temporal's SQLite state. After the warm-up it
reports growth per process and exits 1 if RSS grew 10 % or more, descriptors grew, a process
restarted, or a job was lost.

  --duration <d>      how long to run (default 30m)
  --rate <n/min>      webhook rate (default 1500/min)
  --warm-up <d>       not judged (default a fifth of the duration, at least 30s)
  --sample-every <d>  (default 10s)
  --max-rss-growth <percent>  (default 10)
  --max-fd-growth <n>         (default 20)
  --json <path>       (default bench/results/soak-<time>.json)
`;

const SERVICES = ['temporal', 'api', 'worker-urgent', 'worker-video', 'provider-sim', 'smtp-sink'];
const log = (line: string) => process.stderr.write(`${line}\n`);

function parseArgs(argv: string[]) {
  const a = {
    durationMs: 30 * 60_000,
    webhooksPerMinute: 1500,
    warmUpMs: undefined as number | undefined,
    sampleEveryMs: 10_000,
    maxRssGrowthPercent: 10,
    maxFdGrowth: 20,
    json: undefined as string | undefined,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--help' || flag === '-h') return undefined;
    else if (flag === '--duration') a.durationMs = parseDuration(value(), flag);
    else if (flag === '--rate') a.webhooksPerMinute = parseRate(value()) * 60;
    else if (flag === '--warm-up') a.warmUpMs = parseDuration(value(), flag);
    else if (flag === '--sample-every') a.sampleEveryMs = parseDuration(value(), flag);
    else if (flag === '--max-rss-growth') a.maxRssGrowthPercent = Number(value());
    else if (flag === '--max-fd-growth') a.maxFdGrowth = Number(value());
    else if (flag === '--json') a.json = value();
    else throw new Error(`unknown option ${flag}\n\n${USAGE}`);
  }
  return { ...a, warmUpMs: a.warmUpMs ?? Math.max(30_000, a.durationMs / 5) };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (!args) {
    process.stdout.write(USAGE);
    return 0;
  }
  log(
    `soak: ${args.webhooksPerMinute}/min for ${args.durationMs / 60_000} min (warm-up ${args.warmUpMs / 1000} s)`,
  );
  const stack = await startNpmStack({ LOG_LEVEL: 'warn' });
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
  const sample = () => {
    const processes: SoakSample['processes'] = {};
    for (const name of SERVICES) {
      const pid = stack.pid(name);
      processes[name] = pid ? sampleProcess(pid) : undefined;
    }
    samples.push({
      atMs: Date.now() - started,
      processes,
      storageBytes: sqliteBytes(join(stack.dataDir, 'temporal.sqlite')),
    });
  };
  sample();
  const sampler = setInterval(sample, args.sampleEveryMs);
  let lost = 0;
  let jobs = 0;
  let rounds = 0;
  let retentionHours: number | undefined;
  try {
    const { namespaceInfo, config } = await client.workflowService.describeNamespace({
      namespace: 'default',
    });
    void namespaceInfo;
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
      const last = samples.at(-1)!;
      log(
        `soak: ${Math.round((Date.now() - started) / 1000)} s, round ${rounds}: ${summary.jobs.created} jobs, lost ${summary.outcomes.lost}, ` +
          `ack p99 ${summary.ackLatencyMs.p99} ms · RSS ${SERVICES.map((s) => `${s} ${Math.round((last.processes[s]?.rssBytes ?? 0) / 1048576)}M`).join(' ')} · ` +
          `sqlite ${Math.round(last.storageBytes / 1048576)}M`,
      );
    }
  } finally {
    clearInterval(sampler);
    sample();
    await connection.close();
    await stack.stop();
  }
  const report = soakReport(samples, args.warmUpMs, args);
  if (lost > 0) report.breaches.push(`${lost} jobs lost`);
  const plateauMb =
    retentionHours !== undefined
      ? Math.round(report.storage.endMb + report.storage.mbPerHour * retentionHours)
      : undefined;
  const lines = [
    `soak: ${rounds} rounds, ${jobs} jobs, lost ${lost}, ${samples.length} samples; judged after ${args.warmUpMs / 1000} s`,
    '',
    '| process | RSS after warm-up | RSS at end | growth | open fds | restarts |',
    '| --- | --- | --- | --- | --- | --- |',
    ...report.processes.map(
      (p) =>
        `| ${p.service} | ${p.rssStartMb} MB | ${p.rssEndMb} MB | ${p.rssGrowthPercent} % | ${p.fdsStart} → ${p.fdsEnd} | ${p.restarts} |`,
    ),
    '',
    `Temporal storage: ${report.storage.startMb} MB → ${report.storage.endMb} MB (${report.storage.mbPerHour} MB/h); ` +
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
    `${JSON.stringify({ args, rounds, jobs, lost, retentionHours, plateauMb, report, samples }, null, 2)}\n`,
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
