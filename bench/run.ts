import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  clusterVideoBudgetProfile,
  clusterAdmissionProfile,
  clusterOneServerProfile,
  clusterProfile,
  clusterServerGogc100Profile,
  clusterDownloadAsTaskProfile,
  clusterResetMailTaskProfile,
  clusterVideoServerNice0Profile,
  devInMemoryProfile,
  devNoEagerProfile,
  devNoVideoLaneProfile,
  devNoNiceProfile,
  devOwnUrgentServerProfile,
  devProfile,
  checkoutProfile,
} from './profiles/dev-profile.js';
import { ensureCheckout } from './profiles/baseline-checkout.js';
import type { StackProfile } from './profiles/stack-profile.js';
import { devUrgentApiProfile } from './profiles/reset-isolation-profiles.js';
import { engineWorkTable, processCpuTable } from './engine-report.js';
import { cpuTable, diskTable, goalsTable, phaseTable } from './report.js';
import { runOnce, type RunResult, type RunSettings } from './run-once.js';

/**
 * `npm run bench`: what a user of `npm start` gets. Each run starts the stack through the
 * profile's own entry (the dev profile runs src/stack/start.ts: dev server on its SQLite file,
 * SMTP sink process, the lanes' real workers) and, on that one stack: idle resets; resets beside
 * 1,500 webhooks/min; resets through a 3,000/min burst, then every webhook settled (503s counted,
 * lost ones named); ingest capacity of the webhook route against a raw signalWithStart loop,
 * interleaved. Resets are timed from the request to the `.eml` landing in the sink's folder.
 * Markdown tables on stdout (median and spread over --runs), progress on stderr, JSON in
 * bench/results/.
 */
const USAGE = `npm run bench -- [--runs 1] [--quick] [--profile dev,cluster] [--rate 5] [--verbose]

  --runs      fresh stacks, one after the other; tables show median (min–max)
  --quick     short phases for trying a change (figures are rougher)
  --profile   which stacks to start, comma-separated, taking turns run by run:
              dev = npm start; cluster = npm run start:cluster (default: both, side by side);
              cluster-budget = start:cluster with a 150/s budget for the video namespace (A/B);
              cluster-admission = start:cluster with webhook admission control on (A/B);
              cluster-one-server = start:cluster with one Temporal server for both lanes (A/B);
              cluster-reset-activity = start:cluster with each reset mail as an activity task (A/B);
              cluster-video-server-nice0 = start:cluster with the video lane's server not niced (A/B);
              cluster-server-gogc100 = start:cluster with its servers on Go's default GOGC (A/B);
              cluster-download-as-task = start:cluster with every download an activity task (A/B);
              dev-memory = npm start on an in-memory dev server (experiment);
              dev-nice0, dev-eager-off = npm start with one lever off (A/B);
              dev-no-video = npm start without its video worker (experiment);
              dev-urgent-api = npm start, resets sent to an API process of their own (experiment);
              dev-urgent-server = npm start with STACK_URGENT_SERVER=own (the urgent lane on a
                                  dev server of its own)
              dev@REF, cluster@REF = that profile from the code at commit REF (a checkout under
                                  .cache/bench-checkouts): the baseline of an A/B in the same run
  --rate      password resets per second in every phase
  --burst-seconds  length of the 3,000/min burst (default 120, quick 30)`;

const PROFILES: Record<string, StackProfile> = {
  dev: devProfile,
  cluster: clusterProfile,
  'cluster-budget': clusterVideoBudgetProfile,
  'cluster-admission': clusterAdmissionProfile,
  'cluster-one-server': clusterOneServerProfile,
  'cluster-reset-activity': clusterResetMailTaskProfile,
  'cluster-video-server-nice0': clusterVideoServerNice0Profile,
  'cluster-server-gogc100': clusterServerGogc100Profile,
  'cluster-download-as-task': clusterDownloadAsTaskProfile,
  'dev-memory': devInMemoryProfile,
  'dev-nice0': devNoNiceProfile,
  'dev-eager-off': devNoEagerProfile,
  'dev-no-video': devNoVideoLaneProfile,
  'dev-urgent-api': devUrgentApiProfile,
  'dev-urgent-server': devOwnUrgentServerProfile,
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '1' },
      quick: { type: 'boolean', default: false },
      profile: { type: 'string', default: 'dev,cluster' },
      rate: { type: 'string', default: '5' },
      'burst-seconds': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  const profiles = values.profile.split(',').map((spec) => {
    const [name, ref] = spec.trim().split('@');
    const profile = PROFILES[name ?? ''];
    if (!profile) throw new Error(`--profile: "${name}" is not one of ${Object.keys(PROFILES).join(', ')}`);
    if (!ref) return profile;
    const checkout = ensureCheckout(ref, log);
    return checkoutProfile(profile, checkout.dir, checkout.commit);
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 10) throw new Error('--runs: an integer from 1 to 10');
  const q = values.quick;
  const settings: RunSettings = {
    resetsPerSecond: Number(values.rate),
    warmUpMs: q ? 5_000 : 10_000,
    // As long as the 1,500/min phase: the ratio's baseline p99 rests on as many resets as the
    // figure it divides, so one slow idle reset no longer sets it.
    idleMs: q ? 20_000 : 60_000,
    steadyMs: q ? 20_000 : 60_000,
    steadyPerMinute: 1_500,
    burstMs: values['burst-seconds'] ? Number(values['burst-seconds']) * 1000 : q ? 30_000 : 120_000,
    burstPerMinute: 3_000,
    ingestWindowMs: q ? 5_000 : 10_000,
    ingestRounds: q ? 2 : 3,
    ingestConcurrency: 32,
    ackProbePerSecond: 5,
    verbose: values.verbose,
    log,
  };
  if (!(settings.burstMs >= 5_000 && settings.burstMs <= 600_000))
    throw new Error('--burst-seconds: 5 to 600');
  if (!(settings.resetsPerSecond > 0 && settings.resetsPerSecond <= 50))
    throw new Error('--rate: 0 < rate ≤ 50');

  // Profiles take turns run by run, so each sees the same spells of outside load.
  const results: RunResult[][] = profiles.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [p, profile] of profiles.entries()) {
      settings.log(`run ${i + 1}/${runs}, ${profile.name}`);
      results[p]!.push(await runOnce(profile, settings));
    }
  }
  for (const runsOfProfile of results) {
    const r = runsOfProfile;
    process.stdout.write(`\n${goalsTable(r)}\n\n${phaseTable(r)}\n\n${cpuTable(r)}\n\n${diskTable(r)}\n`);
    process.stdout.write(`\n${processCpuTable(r)}\n\n${engineWorkTable(r)}\n`);
  }
  process.stdout.write(
    `\nresets at ${settings.resetsPerSecond}/s in every phase${q ? '; --quick phases' : ''}; ` +
      `"other" cpu is load from outside the bench, which skews the figures\n`,
  );
  const dir = new URL('./results/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ settings: { ...settings, log: undefined }, results }, null, 2)}\n`);
  process.stdout.write(`results: ${file}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
