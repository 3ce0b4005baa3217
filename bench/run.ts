import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { stopRunningStacks } from './bench-stack.js';
import { latencyTable, phaseTable } from './report.js';
import { runScenario, type ScenarioResult, type ScenarioSpec } from './scenario.js';

/**
 * `npm run bench`: password-reset latency (request → SMTP accepted) at a steady rate, in one
 * run, for: the idle system; dedicated lanes with the video lane saturated; and the shared-lane
 * comparison mode under the same saturation. Each scenario runs the production shape: the
 * Temporal dev server, the API, the simulated provider, the webhook storm and each lane's worker
 * are separate processes; the bench process only sends requests and receives the mail.
 * Table on stdout, progress on stderr, JSON in bench/results/.
 *
 *   npm run bench -- --duration 60s --rate 2 --backlog 4000 --download 2s --webhooks 1500
 */
const USAGE = `npm run bench -- [--duration 60s] [--warm-up 5s] [--rate 2] [--backlog 4000] [--download 2s] [--webhooks 1500] [--verbose]

  --warm-up    resets at the same rate before measuring, under the same load (not measured)
  --rate       password resets per second (measured)
  --backlog    synthetic video jobs queued before measuring (each holds a video slot for --download)
  --webhooks   webhook storm during the saturated scenarios, per minute (0 = none)
  --verbose    show everything the child processes print (default: warnings and errors)`;

function duration(spec: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(spec.trim());
  if (!m) throw new Error(`${flag}: "${spec}" is not a duration like 60s`);
  return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[m[2] ?? 's']!);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '60s' },
      'warm-up': { type: 'string', default: '5s' },
      rate: { type: 'string', default: '2' },
      backlog: { type: 'string', default: '4000' },
      download: { type: 'string', default: '2s' },
      webhooks: { type: 'string', default: '1500' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const settings = {
    durationMs: duration(values.duration, '--duration'),
    warmUpMs: duration(values['warm-up'], '--warm-up'),
    resetsPerSecond: Number(values.rate),
    webhooksPerSecond: Number(values.webhooks) / 60,
    slowDownloadMs: duration(values.download, '--download'),
    verbose: values.verbose,
    log: (line: string) => process.stderr.write(`[bench] ${line}\n`),
  };
  const backlog = Number(values.backlog);
  const scenarios: ScenarioSpec[] = [
    { name: 'idle', laneMode: 'dedicated', videoBacklog: 0 },
    { name: 'dedicated lanes, video saturated', laneMode: 'dedicated', videoBacklog: backlog },
    { name: 'shared lane, video saturated', laneMode: 'shared', videoBacklog: backlog },
  ];
  // Ctrl-C or a kill: no child process of a scenario may outlive the bench.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      settings.log(`${signal}: stopping every child process…`);
      void stopRunningStacks().finally(() => process.exit(130));
    });
  }
  const results: ScenarioResult[] = [];
  for (const spec of scenarios) results.push(await runScenario(spec, settings));

  const idle = results[0]!;
  const dedicated = results[1]!;
  const ratio = dedicated.p99 / idle.p99;
  process.stdout.write(`\n${latencyTable(results, idle.p99)}\n\n${phaseTable(results)}\n`);
  process.stdout.write(
    `\ndedicated p99 under saturation = ${dedicated.p99} ms (${ratio.toFixed(2)}x idle p99)` +
      `; goal ≤ 1000 ms and ≤ 2x idle\n`,
  );
  const cores = results.find((r) => r.cpu)?.cpu?.cores;
  if (cores) {
    process.stdout.write(
      `cpu: % of one core during each measurement (${cores} cores = ${cores * 100}%); ` +
        `"other" is load from outside the bench, which skews the figures\n`,
    );
  }
  const dir = new URL('./results/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `urgent-lane-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  // The lane capacity the worker processes ran with (defaults unless set in the environment).
  const { urgent, video, tenantFairnessWeights } = loadConfig().lanes;
  const lanes = { urgent, video, tenantFairnessWeights };
  const load =
    `synthetic video backlog (${backlog} jobs, ${settings.slowDownloadMs} ms downloads)` +
    (settings.webhooksPerSecond > 0 ? ` + webhook storm at ${values.webhooks}/min` : '; no webhook storm');
  writeFileSync(
    file,
    `${JSON.stringify({ scenario: 'urgent-lane', settings: { ...settings, log: undefined, verbose: undefined, backlog }, lanes, load, results, dedicatedToIdleP99: ratio }, null, 2)}\n`,
  );
  process.stdout.write(`results: ${file}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
