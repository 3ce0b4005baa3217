import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { stackClientTlsEnv } from '../../src/cluster/cluster-tls.js';
import { DEV_DEFAULTS, loadConfig } from '../../src/config.js';
import { connectionOptions } from '../../src/temporal/connection-options.js';
import { parseDuration, parseRate } from '../storm/args.js';
import { FAULT_PROFILES, type Fault } from './fault-catalog.js';
import { formatFaultTable } from './fault-table.js';
import { formatRunsTable } from './runs-table.js';
import { startNpmStack, type StackProfile } from './npm-start-process.js';
import { runFault, type FaultResult } from './run-fault.js';

const USAGE = `npm run faults -- [options]

Starts \`npm start\` on free ports and a temporary DATA_DIR, then, one after another, under a
webhook storm with password resets running: kill -9 the Temporal dev server, the API, the video
worker, the urgent worker; the SMTP sink down; the provider answering 5xx; the provider
unreachable. Prints a table and writes JSON; exits 1 if anything was lost.

With --profile cluster it starts \`npm run start:cluster\` instead, and kills the Temporal
server, PostgreSQL, the Web UI server, the object store, the video autoscaler and one of its
worker replicas, one API replica and nginx as well as the app's processes.

  --profile <name>   dev-server (default) or cluster
  --rate <n/min>     webhook rate of the storm (default 1500/min)
  --load <d>         how long each fault's storm creates jobs (default 120s)
  --fault-at <d>     when the fault starts, into the load (default 20s)
  --window <d>       how long an outage lasts (default 60s)
  --reset-every <d>  one password reset per (default 1s)
  --settle <d>       max wait for every job and mail after the load (default 5m)
  --only <text>      run only faults whose name contains this
  --short            CI-sized: 600/min, load 15s, fault at 4s, window 8s
  --runs <n>         run the whole suite n times, each on a fresh stack, and print each fault's
                     passes, median (min–max) and recovery over the runs (default 1)
  --json <path>      where to write the results (default bench/results/faults-<time>.json)
  --from <files>     print that table from results written before (comma-separated JSON
                     files, one run or more each) instead of running anything
`;

interface FaultArgs {
  profile: StackProfile;
  webhooksPerMinute: number;
  loadMs: number;
  faultAtMs: number;
  windowMs: number;
  resetEveryMs: number;
  settleMs: number;
  only?: string;
  runs: number;
  json?: string;
  from?: string[];
}

function parseArgs(argv: string[]): FaultArgs | undefined {
  const a: FaultArgs = {
    profile: 'dev-server',
    webhooksPerMinute: 1500,
    loadMs: 120_000,
    faultAtMs: 20_000,
    windowMs: 60_000,
    resetEveryMs: 1_000,
    settleMs: 300_000,
    runs: 1,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--help' || flag === '-h') return undefined;
    else if (flag === '--short')
      Object.assign(a, { webhooksPerMinute: 600, loadMs: 15_000, faultAtMs: 4_000, windowMs: 8_000 });
    else if (flag === '--profile') {
      const name = value();
      if (name !== 'dev-server' && name !== 'cluster') {
        throw new Error(`--profile must be dev-server or cluster (got ${name})`);
      }
      a.profile = name;
    } else if (flag === '--rate') a.webhooksPerMinute = parseRate(value()) * 60;
    else if (flag === '--load') a.loadMs = parseDuration(value(), flag);
    else if (flag === '--fault-at') a.faultAtMs = parseDuration(value(), flag);
    else if (flag === '--window') a.windowMs = parseDuration(value(), flag);
    else if (flag === '--reset-every') a.resetEveryMs = parseDuration(value(), flag);
    else if (flag === '--settle') a.settleMs = parseDuration(value(), flag);
    else if (flag === '--only') a.only = value();
    else if (flag === '--runs') {
      const runs = Number(value());
      if (!Number.isInteger(runs) || runs < 1 || runs > 20)
        throw new Error('--runs must be a whole number from 1 to 20');
      a.runs = runs;
    } else if (flag === '--json') a.json = value();
    else if (flag === '--from') a.from = value().split(',').filter(Boolean);
    else throw new Error(`unknown option ${flag}\n\n${USAGE}`);
  }
  return a;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (!args) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.from) {
    const runs = args.from.flatMap(readRuns);
    process.stdout.write(`${formatRunsTable(runs)}\n`);
    return 0;
  }
  const profile = FAULT_PROFILES[args.profile]!;
  const faults = profile.faults.filter((f) => !args.only || f.name.includes(args.only));
  if (args.profile === 'cluster') {
    // The cluster's programs are built (once, then cached) only when this profile needs them.
    const ensure = spawnSync(process.execPath, ['scripts/ensure-cluster-binaries.mjs', '--quiet-if-cached'], {
      stdio: 'inherit',
    });
    if (ensure.status !== 0) throw new Error('the cluster binaries are missing and could not be built');
  }
  const file =
    args.json ?? join('bench', 'results', `faults-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const runs: FaultResult[][] = [];
  for (let run = 1; run <= args.runs; run++) {
    if (args.runs > 1) log(`faults: run ${run} of ${args.runs}`);
    runs.push(await runSuite(args, faults));
    // Written after every run, so a stopped series keeps what it measured.
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(
      file,
      `${JSON.stringify({ profile: profile.name, args, results: runs[0], runs }, null, 2)}\n`,
    );
  }
  const table = args.runs > 1 ? formatRunsTable(runs) : formatFaultTable(runs[0]!);
  process.stdout.write(`\n${table}\n\nresults: ${file}\n`);
  return runs.every((run) => run.every((r) => r.ok)) ? 0 : 1;
}

/** One pass over `faults` on a fresh stack, stopped afterwards. */
async function runSuite(args: FaultArgs, faults: Fault[]): Promise<FaultResult[]> {
  const script = args.profile === 'cluster' ? 'npm run start:cluster' : 'npm start';
  log(`faults: starting ${script} (profile ${args.profile}); ${faults.length} faults`);
  // The cluster's first start creates a database cluster and its schema: give it longer.
  const stack = await startNpmStack(
    { RECONCILE_AFTER: '30s' },
    args.profile === 'cluster' ? 300_000 : 180_000,
    args.profile,
  );
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
  const results: FaultResult[] = [];
  try {
    const client = new Client({ connection });
    for (const fault of faults) {
      log(
        `faults: ${fault.name} — ${args.webhooksPerMinute}/min for ${args.loadMs / 1000} s, fault at ${args.faultAtMs / 1000} s`,
      );
      const result = await runFault({
        stack,
        client,
        apiKey: DEV_DEFAULTS.apiKey,
        fault,
        webhooksPerMinute: args.webhooksPerMinute,
        loadMs: args.loadMs,
        faultAtMs: args.faultAtMs,
        windowMs: args.windowMs,
        resetEveryMs: args.resetEveryMs,
        settleTimeoutMs: args.settleMs,
        onProgress: log,
      });
      results.push(result);
      log(
        `faults: ${fault.name} → ${result.ok ? 'OK' : 'FAILED'}, lost jobs ${result.lost.jobs}, resets ${result.lost.resets}`,
      );
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await connection.close();
    await stack.stop();
  }
  return results;
}

/** The runs in a results file: `runs` when it has them, else its one run's `results`. */
function readRuns(file: string): FaultResult[][] {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { results?: FaultResult[]; runs?: FaultResult[][] };
  if (saved.runs) return saved.runs;
  if (saved.results) return [saved.results];
  throw new Error(`${file} holds no fault results`);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`faults: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
