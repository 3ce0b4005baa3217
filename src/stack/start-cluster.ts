import { relative } from 'node:path';
import { bannerLines } from './app-services.js';
import { startCluster } from './cluster-stack.js';
import type { UrgentWorker } from './urgent-workers.js';
import { wantsStackTraces } from '../config.js';
import { exitOnFailure } from '../exit-on-failure.js';

/**
 * `npm run start:cluster`: the production shape on one machine — PostgreSQL, the Temporal
 * server on it, its Web UI server, then the same app services as `npm start`. State lives in
 * DATA_DIR/cluster and survives a restart. Ctrl-C stops everything it started.
 */

const out = (line: string) => process.stdout.write(`${line}\n`);
const tag = (name: string) => `[${name}]`.padEnd(16);

async function main(): Promise<void> {
  const started = Date.now();
  // Ctrl-C during start-up aborts it; startCluster then stops whatever it had started.
  const abort = new AbortController();
  const starting = startCluster({
    signal: abort.signal,
    print: (name, line) => !abort.signal.aborted && out(`${tag(name)}${line}`),
  });
  const shutdown = async () => {
    if (abort.signal.aborted) return;
    abort.abort();
    out(`${tag('stack')}stopping…`);
    await starting.then((stack) => stack.stop()).catch(() => undefined);
    out(`${tag('stack')}stopped`);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());

  const stack = await starting;
  const { config } = stack;
  const rel = relative(process.cwd(), config.cluster.dir) || '.';
  const lines = bannerLines(config, [
    `  Temporal       ${stack.temporalAddress}  (server on PostgreSQL 127.0.0.1:${config.cluster.postgresPort}, state in ${rel}/)`,
    `  Web UI         ${stack.uiUrl}`,
    `  API replicas   ${stack.apiReplicas.map((r) => r.url).join('  ')}  (behind nginx on the API address; /metrics on each)`,
    `  Urgent workers ${urgentWorkersLine(stack.urgentWorkers, config.workerMetrics.host)}`,
    ...(stack.urgentServer
      ? [
          `  Urgent lane    ${stack.urgentServer.address}  (its own Temporal server, databases temporal_urgent*)`,
          `  its Web UI     ${stack.urgentServer.uiUrl}  (password resets)`,
        ]
      : config.temporal.urgentAddress
        ? [`  Urgent lane    ${config.temporal.urgentAddress}  (URGENT_TEMPORAL_ADDRESS)`]
        : []),
    ...(config.temporal.urgentNamespace
      ? [`  Urgent lane    namespace ${config.temporal.urgentNamespace}  (URGENT_TEMPORAL_NAMESPACE)`]
      : []),
  ]);
  for (const line of lines) out(line);
  out(`${tag('stack')}up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch(exitOnFailure('floodgate', { oneLine: true, stackTraces: wantsStackTraces() }));

/** How many urgent worker processes run, and where each serves its metrics. */
function urgentWorkersLine(workers: UrgentWorker[], host: string): string {
  const metrics = workers.map((w) => (w.metricsPort ? `http://${host}:${w.metricsPort}/metrics` : 'off'));
  return `${workers.length} processes (a reset goes on while one restarts); metrics ${metrics.join('  ')}`;
}
