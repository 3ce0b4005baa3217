import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { stackClientTlsEnv } from '../../src/cluster/cluster-tls.js';
import { DEV_DEFAULTS, loadConfig } from '../../src/config.js';
import { connectionOptions } from '../../src/temporal/connection-options.js';
import { parseDuration, parseRate } from '../storm/args.js';
import { FAULT_PROFILES } from './fault-catalog.js';
import { formatFaultTable } from './fault-table.js';
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
  --json <path>      where to write the results (default bench/results/faults-<time>.json)
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
  json?: string;
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
    else if (flag === '--json') a.json = value();
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
  const profile = FAULT_PROFILES[args.profile]!;
  const faults = profile.faults.filter((f) => !args.only || f.name.includes(args.only));
  const script = args.profile === 'cluster' ? 'npm run start:cluster' : 'npm start';
  log(`faults: starting ${script} (profile ${profile.name}); ${faults.length} faults`);
  if (args.profile === 'cluster') {
    // The cluster's programs are built (once, then cached) only when this profile needs them.
    const ensure = spawnSync(process.execPath, ['scripts/ensure-cluster-binaries.mjs', '--quiet-if-cached'], {
      stdio: 'inherit',
    });
    if (ensure.status !== 0) throw new Error('the cluster binaries are missing and could not be built');
  }
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
    await connection.close();
    await stack.stop();
  }
  const file =
    args.json ?? join('bench', 'results', `faults-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ profile: profile.name, args, results }, null, 2)}\n`);
  process.stdout.write(`\n${formatFaultTable(results)}\n\nresults: ${file}\n`);
  return results.every((r) => r.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`faults: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
