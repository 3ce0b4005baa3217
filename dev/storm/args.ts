import type { ChaosKnobs } from '../provider/chaos.js';
import { DEFAULT_COMPRESSION } from './retry-schedule.js';

export type StormMode = 'adopt' | 'submit' | 'mixed';

export interface StormArgs {
  /** Target webhook rate, per second (the scenario's unit: ~1,500 webhooks/min at peak). */
  webhooksPerSecond: number;
  durationMs: number;
  /** Job count; defaults to what the rate and duration produce. */
  jobs?: number;
  mode: StormMode;
  chaos: Partial<ChaosKnobs>;
  apiUrl: string;
  providerUrl: string;
  apiKey: string;
  temporalAddress: string;
  timeoutMs: number;
  /** Jobs due within one burst window are created together. */
  burstMs: number;
  /** Where Floodgate stores videos; when given, the storm checks one file per job. */
  storageDir?: string;
  /** The storm's own calls retry on Standard Webhooks' schedule divided by this. */
  retryCompression: number;
  help: boolean;
}

export const USAGE = `npm run storm -- [options]

  --rate <n/min|n/s>     webhook rate to drive (default 1500/min); each job sends 3 webhooks
  --duration <d>         how long to create jobs (default 60s)
  --jobs <n>             number of jobs (default: rate x duration / 3)
  --mode <m>             adopt | submit | mixed (default mixed)
  --drop <pct>           webhooks never sent (recovered by polling)
  --duplicate <pct>      webhooks sent twice with the same webhook-id
  --reorder              deliver each job's webhooks in shuffled order
  --delay <min-max>      extra webhook delay in ms, e.g. 0-500
  --error <pct>          500s on the provider's status and file routes
  --fail <pct>           predictions that end failed
  --burst <d>            burst window (default 1s)
  --api <url>            Floodgate API (default from PORT)
  --provider <url>       simulated provider (default from PROVIDER_SIM_PORT)
  --api-key <key>        API key (default: first of API_KEYS)
  --temporal <host:port> Temporal frontend (default TEMPORAL_ADDRESS or the dev server)
  --storage-dir <dir>    check exactly one stored file per completed job (default DATA_DIR/videos,
                         or start:cluster's bucket folder under DATA_DIR when it exists; "none"
                         skips the check, e.g. against a stack on another machine)
  --timeout <d>          how long to wait for every job to be terminal (default 5m)
  --retry-compression <n> the storm's own calls (POST /videos, provider control) retry on the
                         Standard Webhooks schedule (5s, 5m, 30m, 2h, 5h, 10h, 10h) divided by n
                         (default 300: 0.25s, 1s, 6s, 24s, 60s, 2m, 2m)
`;

export class ArgsError extends Error {}

/** `1500/min`, `25/s`, `90000/h`, or a bare number per second. */
export function parseRate(spec: string): number {
  const m = /^(\d+(?:\.\d+)?)(?:\/(s|sec|m|min|h))?$/.exec(spec.trim());
  if (!m || Number(m[1]) <= 0) throw new ArgsError(`--rate: "${spec}" is not a rate like 1500/min`);
  const per = { s: 1, sec: 1, m: 60, min: 60, h: 3600 }[m[2] ?? 's'] ?? 1;
  return Number(m[1]) / per;
}

/** `500ms`, `60s`, `5m`, `1h`; bare numbers are seconds. */
export function parseDuration(spec: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|min|h)?$/.exec(spec.trim());
  if (!m) throw new ArgsError(`${flag}: "${spec}" is not a duration like 60s or 5m`);
  const unit = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000;
  return Math.round(Number(m[1]) * unit);
}

function parsePercent(spec: string, flag: string): number {
  const n = Number(spec);
  if (!Number.isFinite(n) || n < 0 || n > 100)
    throw new ArgsError(`${flag}: "${spec}" is not a percentage 0-100`);
  return n;
}

function parsePositiveInt(spec: string, flag: string): number {
  const n = Number(spec);
  if (!Number.isInteger(n) || n < 1) throw new ArgsError(`${flag}: "${spec}" is not a positive integer`);
  return n;
}

export function parseStormArgs(
  argv: readonly string[],
  defaults: Omit<StormArgs, 'help' | 'chaos' | 'retryCompression'>,
): StormArgs {
  const args: StormArgs = { ...defaults, chaos: {}, help: false, retryCompression: DEFAULT_COMPRESSION };
  const booleans = new Set(['--reorder', '--help', '-h']);
  const withValue = new Set(
    ['rate', 'duration', 'jobs', 'mode', 'drop', 'duplicate', 'delay', 'error', 'fail', 'burst']
      .concat(['api', 'provider', 'api-key', 'temporal', 'storage-dir', 'timeout', 'retry-compression'])
      .map((f) => `--${f}`),
  );
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i]!;
    const [name, inline] = flag.includes('=')
      ? [flag.slice(0, flag.indexOf('=')), flag.slice(flag.indexOf('=') + 1)]
      : [flag];
    if (!booleans.has(name!) && !withValue.has(name!))
      throw new ArgsError(`unknown option ${name}\n\n${USAGE}`);
    let value = inline;
    if (!booleans.has(name!) && value === undefined) {
      value = argv[i + 1];
      i += 1;
      if (value === undefined) throw new ArgsError(`${name} needs a value`);
    }
    const v = value ?? '';
    switch (name) {
      case '--help':
      case '-h':
        args.help = true;
        break;
      case '--rate':
        args.webhooksPerSecond = parseRate(v);
        break;
      case '--duration':
        args.durationMs = parseDuration(v, name);
        break;
      case '--jobs':
        args.jobs = parsePositiveInt(v, name);
        break;
      case '--mode':
        if (v !== 'adopt' && v !== 'submit' && v !== 'mixed')
          throw new ArgsError(`--mode: adopt, submit or mixed`);
        args.mode = v;
        break;
      case '--drop':
        args.chaos.dropPercent = parsePercent(v, name);
        break;
      case '--duplicate':
        args.chaos.duplicatePercent = parsePercent(v, name);
        break;
      case '--reorder':
        args.chaos.reorder = true;
        break;
      case '--delay': {
        const m = /^(\d+)(?:-(\d+))?$/.exec(v);
        if (!m) throw new ArgsError(`--delay: "${v}" is not min-max in ms`);
        args.chaos.delayMs = [Number(m[1]), Number(m[2] ?? m[1])];
        break;
      }
      case '--error':
        args.chaos.statusErrorPercent = parsePercent(v, name);
        args.chaos.fileErrorPercent = args.chaos.statusErrorPercent;
        break;
      case '--fail':
        args.chaos.failurePercent = parsePercent(v, name);
        break;
      case '--burst':
        args.burstMs = parseDuration(v, name);
        break;
      case '--api':
        args.apiUrl = v;
        break;
      case '--provider':
        args.providerUrl = v;
        break;
      case '--api-key':
        args.apiKey = v;
        break;
      case '--temporal':
        args.temporalAddress = v;
        break;
      case '--storage-dir':
        args.storageDir = v === 'none' ? undefined : v;
        break;
      case '--timeout':
        args.timeoutMs = parseDuration(v, name);
        break;
      case '--retry-compression':
        args.retryCompression = parsePositiveInt(v, name);
        break;
      default:
        throw new ArgsError(`unknown option ${name}\n\n${USAGE}`);
    }
  }
  return args;
}
