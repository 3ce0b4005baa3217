import { loadConfig } from '../../config.js';
import { TASK_QUEUES } from '../../shared/task-queues.js';
import { connectClient } from '../../temporal/client.js';
import { formatDecision } from './decision-line.js';
import { readLaneBacklog } from './lane-backlog.js';
import { desiredReplicas } from './scaling-policy.js';
import { policyFromConfig } from './video-autoscaler.js';

/**
 * `npm run autoscale` runs the acting autoscaler (main.ts). With `--print` (or `--once`) it
 * only prints, every AUTOSCALE_INTERVAL, the replica count the policy asks for per lane — the
 * signal an orchestrator (Compose scale, a Kubernetes HPA) acts on. Stops on Ctrl-C or after --once.
 */
const once = process.argv.includes('--once');
if (!once && !process.argv.includes('--print')) {
  await import('./main.js');
} else {
  const config = loadConfig();
  const policy = policyFromConfig(config);
  const client = await connectClient(config);
  const replicas: Record<string, number> = {
    [TASK_QUEUES.urgent]: policy.minReplicas,
    [TASK_QUEUES.video]: policy.minReplicas,
  };
  const changedAt: Record<string, number> = {};
  let stopped = false;
  process.once('SIGINT', () => (stopped = true));
  process.once('SIGTERM', () => (stopped = true));

  while (!stopped) {
    for (const taskQueue of Object.keys(replicas)) {
      const backlog = await readLaneBacklog(client, config.temporal.namespace, taskQueue);
      const from = replicas[taskQueue]!;
      const since = changedAt[taskQueue] ? (Date.now() - changedAt[taskQueue]) / 1000 : Infinity;
      const decision = desiredReplicas(from, backlog, policy, since);
      if (decision.replicas !== from) changedAt[taskQueue] = Date.now();
      replicas[taskQueue] = decision.replicas;
      process.stdout.write(
        `${formatDecision({ at: new Date(), backlog, from, to: decision.replicas, ...decision })}\n`,
      );
    }
    if (once) break;
    await new Promise((r) => setTimeout(r, config.autoscale.intervalMs));
  }
  await client.connection.close();
}
