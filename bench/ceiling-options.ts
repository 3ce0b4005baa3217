import { parseArgs } from 'node:util';

export const CEILING_USAGE = `npm run ceiling -- [--profile dev,cluster] [--rates 1000,1500,2000,2500,3000]
                         [--hold 5m] [--reset-rate 5] [--all] [--verbose]

  Finds the highest webhook rate a fresh stack sustains for --hold: acks p99 ≤ 200 ms as the
  sender sees them, password-reset p99 ≤ 2× the same stack's idle reset p99, nothing lost.

  --profile     dev = npm start, cluster = npm run start:cluster; one fresh stack each, in turn
  --rates       webhooks per minute, comma-separated, run in ascending order
  --hold        how long each rate is held: 90, 90s, 5m
  --reset-rate  password resets per second, idle (30 s baseline) and beside every rate
  --all         run every rate, not only up to the first one that fails
  --verbose     show every line the stack prints`;

export interface CeilingOptions {
  profiles: string[];
  ratesPerMinute: number[];
  holdMs: number;
  resetsPerSecond: number;
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
      'reset-rate': { type: 'string', default: '5' },
      all: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const profiles = values.profile.split(',').map((p) => p.trim());
  for (const p of profiles)
    if (p !== 'dev' && p !== 'cluster') throw new Error(`--profile: "${p}" is not dev or cluster`);
  const ratesPerMinute = values.rates.split(',').map(Number);
  if (!ratesPerMinute.every((r) => Number.isInteger(r) && r >= 60 && r <= 60_000))
    throw new Error('--rates: whole webhooks per minute, 60 to 60000 each');
  ratesPerMinute.sort((a, b) => a - b);
  const holdMs = parseDuration(values.hold);
  if (!(holdMs >= 10_000 && holdMs <= 3_600_000)) throw new Error('--hold: 10s to 60m');
  const resetsPerSecond = Number(values['reset-rate']);
  if (!(resetsPerSecond > 0 && resetsPerSecond <= 50)) throw new Error('--reset-rate: 0 < rate ≤ 50');
  return {
    profiles,
    ratesPerMinute,
    holdMs,
    resetsPerSecond,
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
