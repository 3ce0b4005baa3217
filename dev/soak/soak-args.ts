import type { StackProfile } from '../faults/npm-start-process.js';
import { parseDuration, parseRate } from '../storm/args.js';

export const USAGE = `npm run soak -- [options]

Starts \`npm start\` (or, with --profile cluster, \`npm run start:cluster\`) on free ports and a
temporary DATA_DIR and keeps a webhook storm running (one-minute rounds, each followed to the
end) with a password reset every second, while it samples every process's RSS and open file
descriptors (Linux /proc) and the size of Temporal's storage. After the warm-up it reports
growth per process and exits 1 if RSS grew 10 % or more, descriptors grew, a process
restarted, a job was lost or a reset was not mailed.

On the cluster profile every process with a PID file in DATA_DIR/run is sampled (PostgreSQL
and nginx as one row each, summed over their processes in PSS), and storage is each Temporal
database, the object store's folder and the whole DATA_DIR.

  --profile <name>    dev-server (default) or cluster
  --duration <d>      how long to run (default 30m)
  --rate <n/min>      webhook rate (default 1500/min)
  --reset-every <d>   one password reset per (default 1s; 0 sends none)
  --warm-up <d>       not judged (default a fifth of the duration, at least 30s)
  --sample-every <d>  (default 10s)
  --max-rss-growth <percent>  (default 10)
  --max-fd-growth <n>         (default 20)
  --json <path>       (default bench/results/soak-<time>.json)
`;

export interface SoakArgs {
  profile: StackProfile;
  durationMs: number;
  webhooksPerMinute: number;
  resetEveryMs: number;
  warmUpMs: number;
  sampleEveryMs: number;
  maxRssGrowthPercent: number;
  maxFdGrowth: number;
  json?: string;
}

/** The soak's options; undefined for --help. */
export function parseSoakArgs(argv: string[]): SoakArgs | undefined {
  const a = {
    profile: 'dev-server' as StackProfile,
    durationMs: 30 * 60_000,
    webhooksPerMinute: 1500,
    resetEveryMs: 1_000,
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
    else if (flag === '--profile') {
      const name = value();
      if (name !== 'dev-server' && name !== 'dev' && name !== 'cluster') {
        throw new Error(`--profile must be dev-server or cluster (got ${name})`);
      }
      a.profile = name === 'cluster' ? 'cluster' : 'dev-server';
    } else if (flag === '--duration') a.durationMs = parseDuration(value(), flag);
    else if (flag === '--rate') a.webhooksPerMinute = parseRate(value()) * 60;
    else if (flag === '--reset-every') a.resetEveryMs = parseDuration(value(), flag);
    else if (flag === '--warm-up') a.warmUpMs = parseDuration(value(), flag);
    else if (flag === '--sample-every') a.sampleEveryMs = parseDuration(value(), flag);
    else if (flag === '--max-rss-growth') a.maxRssGrowthPercent = Number(value());
    else if (flag === '--max-fd-growth') a.maxFdGrowth = Number(value());
    else if (flag === '--json') a.json = value();
    else throw new Error(`unknown option ${flag}\n\n${USAGE}`);
  }
  return { ...a, warmUpMs: a.warmUpMs ?? Math.max(30_000, a.durationMs / 5) };
}
