import { parseArgs } from 'node:util';
import { httpProvider } from '../dev/storm/provider-control.js';
import { runStorm } from '../dev/storm/run-storm.js';
import { loadConfig } from '../src/config.js';
import { connectClient } from '../src/temporal/client.js';

/** Webhooks each adopted job produces: starting, processing, terminal. */
const WEBHOOKS_PER_JOB = 3;

export interface BenchStormSummary {
  jobsCreated: number;
  webhooksAcked: number;
  serverErrors: number;
  ackP99Ms: number;
}

/**
 * The bench's webhook storm as its own process, like an outside provider: adopted jobs whose
 * signed webhooks reach the API at the given rate and become VideoJob work on the video lane.
 * It does not wait for those jobs to finish (the saturated lane would not let them); it prints
 * one JSON line (BenchStormSummary) on stdout and exits.
 *
 *   node --import tsx bench/storm.ts --webhooks-per-second 25 --seconds 65
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'webhooks-per-second': { type: 'string', default: '25' },
      seconds: { type: 'string', default: '60' },
    },
  });
  const jobsPerSecond = Number(values['webhooks-per-second']) / WEBHOOKS_PER_JOB;
  const seconds = Number(values.seconds);
  if (!(jobsPerSecond > 0) || !(seconds > 0))
    throw new Error('--webhooks-per-second and --seconds must be > 0');

  const config = loadConfig();
  const client = await connectClient(config);
  try {
    const summary = await runStorm({
      mode: 'adopt',
      jobs: Math.round(jobsPerSecond * seconds),
      jobsPerSecond,
      burstMs: 1_000,
      chaos: {},
      apiUrl: `http://127.0.0.1:${config.api.port}`,
      apiKey: config.api.apiKeys[0]!,
      provider: httpProvider(`http://127.0.0.1:${config.stack.providerSimPort}`),
      client,
      timeoutMs: 1_000,
    });
    const result: BenchStormSummary = {
      jobsCreated: summary.jobs.created,
      webhooksAcked: summary.webhooks.acked,
      serverErrors: summary.serverErrors,
      ackP99Ms: summary.ackLatencyMs.p99,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await client.connection.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench-storm: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
