import { parseArgs } from 'node:util';

export const CEILING_USAGE = `npm run ceiling -- [--profile dev,cluster] [--rates 1000,1500,2000,2500,3000]
                         [--hold 5m] [--idle 2m] [--reset-rate 5] [--runs 1] [--all] [--verbose]

  Finds the highest webhook rate a fresh stack sustains for --hold: acks p99 ≤ 200 ms as the
  sender sees them, password-reset p99 ≤ 2× the same stack's idle reset p99, nothing lost.

  --profile     dev = npm start, cluster = npm run start:cluster; one fresh stack each, in turn;
                cluster-reset-activity = start:cluster with PASSWORD_RESET_MAIL_AS=activity (A/B)
                cluster-video-server-nice0 = start:cluster with STACK_VIDEO_SERVER_NICE=0 (A/B)
                cluster-server-gogc100 = start:cluster with CLUSTER_SERVER_GOGC=100 (A/B)
                cluster-download-as-task = start:cluster with DOWNLOAD_IN_TASK_MAX_BYTES=0 (A/B)
  --rates       webhooks per minute, comma-separated, run in ascending order
  --hold        how long each rate is held: 90, 90s, 5m
  --idle        how long resets run alone first, for the idle p99 each rate is judged against
  --reset-rate  password resets per second, idle and beside every rate
  --runs        fresh stacks per profile, one after another; with more than one, a table per
                profile gives each figure as median (min–max) over the runs
  --all         run every rate, not only up to the first one that fails
  --verbose     show every line the stack prints`;

/** The stacks `npm run ceiling` can start (bench/profiles/dev-profile.ts). */
export const CEILING_PROFILES = [
  'dev',
  'cluster',
  'cluster-reset-activity',
  'cluster-video-server-nice0',
  'cluster-server-gogc100',
  'cluster-download-as-task',
] as const;

export interface CeilingOptions {
  profiles: string[];
  ratesPerMinute: number[];
  holdMs: number;
  idleMs: number;
  resetsPerSecond: number;
  runs: number;
  all: boolean;
  verbose: boolean;
  help: boolean;
}

/** Parses and checks the command line; throws with the option's name on a bad value. */
export function parseCeilingOptions(args: string[]): CeilingOptions {
  const { values } = parseArgs({
    args,
    options: {
      profile: { type: 'string', default: 'dev,cluster' },
      rates: { type: 'string', default: '1000,1500,2000,2500,3000' },
      hold: { type: 'string', default: '5m' },
      // 600 resets at 5/s: the p99 is the sixth slowest, not the second as in 30 s.
      idle: { type: 'string', default: '2m' },
      'reset-rate': { type: 'string', default: '5' },
      runs: { type: 'string', default: '1' },
      all: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const profiles = values.profile.split(',').map((p) => p.trim());
  for (const p of profiles)
    if (!(CEILING_PROFILES as readonly string[]).includes(p))
      throw new Error(`--profile: "${p}" is not one of ${CEILING_PROFILES.join(', ')}`);
  const ratesPerMinute = values.rates.split(',').map(Number);
  if (!ratesPerMinute.every((r) => Number.isInteger(r) && r >= 60 && r <= 60_000))
    throw new Error('--rates: whole webhooks per minute, 60 to 60000 each');
  ratesPerMinute.sort((a, b) => a - b);
  const holdMs = parseDuration(values.hold);
  if (!(holdMs >= 10_000 && holdMs <= 3_600_000)) throw new Error('--hold: 10s to 60m');
  const idleMs = parseDuration(values.idle);
  if (!(idleMs >= 10_000 && idleMs <= 1_800_000)) throw new Error('--idle: 10s to 30m');
  const resetsPerSecond = Number(values['reset-rate']);
  if (!(resetsPerSecond > 0 && resetsPerSecond <= 50)) throw new Error('--reset-rate: 0 < rate ≤ 50');
  const runs = Number(values.runs);
  if (!(Number.isInteger(runs) && runs >= 1 && runs <= 10))
    throw new Error('--runs: a whole number, 1 to 10');
  return {
    profiles,
    ratesPerMinute,
    holdMs,
    idleMs,
    resetsPerSecond,
    runs,
    all: values.all,
    verbose: values.verbose,
    help: values.help,
  };
}

/** `90`, `90s` or `5m`, in ms; NaN when it is none of these. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m)?$/.exec(text.trim());
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'm' ? 60_000 : 1_000);
}
