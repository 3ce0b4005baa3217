import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CEILING_USAGE,
  parseCeilingOptions,
  type CEILING_PROFILES,
  type CeilingOptions,
} from './ceiling-options.js';
import { ceilingLine, ceilingText, costTable, stepTable } from './ceiling-report.js';
import { repeatRunOf, repeatsTable } from './ceiling-repeats.js';
import { runCeiling, type CeilingRunResult } from './ceiling-run.js';
import {
  clusterProfile,
  clusterResetMailTaskProfile,
  clusterVideoServerNice0Profile,
  clusterServerGogc100Profile,
  clusterDownloadAsTaskProfile,
  devProfile,
} from './profiles/dev-profile.js';
import type { StackProfile } from './profiles/stack-profile.js';

const CEILING_STACKS: Record<(typeof CEILING_PROFILES)[number], StackProfile> = {
  dev: devProfile,
  cluster: clusterProfile,
  'cluster-reset-activity': clusterResetMailTaskProfile,
  'cluster-video-server-nice0': clusterVideoServerNice0Profile,
  'cluster-server-gogc100': clusterServerGogc100Profile,
  'cluster-download-as-task': clusterDownloadAsTaskProfile,
};

/**
 * `npm run ceiling`: the highest webhook rate one fresh stack per profile sustains for --hold
 * (sender's ack p99 ≤ 200 ms, reset p99 ≤ 2× idle, nothing lost), rates in ascending order, each
 * step drained before the next. Progress on stderr, tables on stdout, JSON in bench/results/.
 * The verdict is data: exit 0 whenever the run completed, 1 when the tool itself failed.
 */
async function main(): Promise<void> {
  let o: CeilingOptions;
  try {
    o = parseCeilingOptions(process.argv.slice(2));
  } catch (err) {
    // A bad option is the user's to fix: one line and where to look, no stack.
    process.stderr.write(`ceiling: ${err instanceof Error ? err.message : String(err)} (see --help)\n`);
    process.exit(2);
  }
  if (o.help) return void process.stdout.write(`${CEILING_USAGE}\n`);
  const log = (line: string) =>
    process.stderr.write(`[ceiling] ${new Date().toISOString().slice(11, 19)} ${line}\n`);
  const settings = {
    ratesPerMinute: o.ratesPerMinute,
    holdMs: o.holdMs,
    idleMs: o.idleMs,
    resetsPerSecond: o.resetsPerSecond,
    runs: o.runs,
    all: o.all,
  };
  const results: CeilingRunResult[] = [];
  const failures: Array<{ profile: string; error: string }> = [];
  // Runs alternate between profiles, so a slow spell of the machine does not fall on one profile only.
  for (let run = 1; run <= o.runs; run++) {
    for (const name of o.profiles) {
      const profile = CEILING_STACKS[name as (typeof CEILING_PROFILES)[number]];
      if (o.runs > 1) log(`${profile.name}: run ${run} of ${o.runs}`);
      try {
        results.push(await runCeiling(profile, { ...settings, verbose: o.verbose, log }));
      } catch (err) {
        // The next run still starts; its figures are printed and saved, and the exit code says one broke.
        const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
        log(`${profile.name}: the run broke off: ${error}`);
        failures.push({ profile: profile.name, error });
      }
    }
  }
  for (const r of results) {
    process.stdout.write(
      `\n${ceilingLine(r)}; resets ran on ${r.urgentServer === 'own' ? "the urgent lane's own server" : 'the shared server'}\n\n`,
    );
    process.stdout.write(`${stepTable(r)}\n\n${costTable(r)}\n`);
  }
  if (o.runs > 1) {
    for (const name of new Set(results.map((r) => r.profile))) {
      const runs = results
        .filter((r) => r.profile === name)
        .map((r) => repeatRunOf(r, ceilingText(r.ceiling)));
      process.stdout.write(`\n${repeatsTable(name, runs)}\n`);
    }
  }
  process.stdout.write(
    `\nheld ${o.holdMs / 1000}s per rate after a ${o.idleMs / 1000}s idle baseline; resets at ${o.resetsPerSecond}/s; CPU s per 1,000 accepted webhooks from each step's start until its backlog drained, less the idle baseline's rate (resets alone) over that span\n`,
  );
  const dir = new URL('./results/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `ceiling-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ settings, results, failures }, null, 2)}\n`);
  process.stdout.write(`results: ${file}\n`);
  for (const f of failures) process.stdout.write(`${f.profile}: broke off (see stderr), no figures\n`);
  if (failures.length) process.exitCode = 1;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    process.stderr.write(`ceiling: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
