import { loadConfig } from '../../config.js';
import { TASK_QUEUES } from '../../shared/task-queues.js';
import { connectClient } from '../../temporal/client.js';
import { readLaneBacklog } from './lane-backlog.js';
import { desiredReplicas, type ScalingPolicy } from './scaling-policy.js';

/**
 * `npm run autoscale [-- --once]`: reads each lane's backlog from Temporal every few seconds
 * and prints the replica count the policy asks for — the signal a deployment (Compose scale,
 * a Kubernetes HPA, KEDA's Temporal scaler) acts on. Stops on Ctrl-C or after --once.
 */
const config = loadConfig();
const once = process.argv.includes('--once');
const intervalMs = 5_000;
const policy: ScalingPolicy = {
  minReplicas: 1,
  maxReplicas: 10,
  backlogPerReplica: 200,
  maxBacklogAgeSeconds: 30,
};
const client = await connectClient(config);
const replicas: Record<string, number> = { [TASK_QUEUES.urgent]: 1, [TASK_QUEUES.video]: 1 };
let stopped = false;
process.once('SIGINT', () => (stopped = true));
process.once('SIGTERM', () => (stopped = true));

while (!stopped) {
  for (const taskQueue of Object.keys(replicas)) {
    const backlog = await readLaneBacklog(client, config.temporal.namespace, taskQueue);
    const decision = desiredReplicas(replicas[taskQueue]!, backlog, policy);
    replicas[taskQueue] = decision.replicas;
    process.stdout.write(
      `${new Date().toISOString()} ${taskQueue.padEnd(7)} backlog=${backlog.backlogCount} ` +
        `oldest=${backlog.oldestAgeSeconds.toFixed(1)}s add=${backlog.addRate.toFixed(1)}/s ` +
        `dispatch=${backlog.dispatchRate.toFixed(1)}/s → replicas=${decision.replicas} (${decision.reason})\n`,
    );
  }
  if (once) break;
  await new Promise((r) => setTimeout(r, intervalMs));
}
await client.connection.close();
