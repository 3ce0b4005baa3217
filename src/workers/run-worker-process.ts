import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../config.js';
import { exitOnFailure } from '../exit-on-failure.js';
import { createLogger } from '../logger.js';
import type { Lane } from '../shared/task-queues.js';
import {
  temporalAddress,
  urgentLaneApart,
  urgentTemporalTarget,
  type TemporalTarget,
} from '../temporal/client.js';
import { connectionOptions } from '../temporal/connection-options.js';
import { createLaneWorker } from './lane-worker.js';
import { installWorkerMetrics } from './worker-metrics.js';

/**
 * A lane's worker process: connect, create, run until SIGINT/SIGTERM (the SDK drains
 * in-flight tasks first), close. In LANE_MODE=shared it serves the one shared queue instead.
 */
export function runWorkerProcess(lane: Lane): void {
  const main = async () => {
    const config = loadConfig();
    const log = createLogger(`worker-${lane}`, config.logLevel);
    const metrics = installWorkerMetrics(config, lane);
    if (metrics.error) log.warn(metrics.error);
    const targets: TemporalTarget[] = [
      { address: temporalAddress(config), namespace: config.temporal.namespace },
    ];
    // The urgent lane on a server or in a namespace of its own: password resets run there, while
    // the video jobs' mail still comes to the urgent queue beside them, so this process serves both.
    if (lane === 'urgent' && config.lanes.mode !== 'shared' && urgentLaneApart(config)) {
      targets.push(urgentTemporalTarget(config));
    }
    const connections = new Map<string, NativeConnection>();
    try {
      const workers = [];
      for (const { address, namespace } of targets) {
        let connection = connections.get(address);
        if (!connection) {
          connection = await NativeConnection.connect(connectionOptions(config, address));
          connections.set(address, connection);
        }
        const worker = await createLaneWorker({
          config,
          log,
          connection,
          namespace,
          lane: config.lanes.mode === 'shared' ? 'shared' : lane,
        });
        log.info(
          {
            taskQueue: worker.options.taskQueue,
            temporal: address,
            namespace,
            metrics: metrics.address && `http://${metrics.address}/metrics`,
          },
          'worker running',
        );
        workers.push(worker);
      }
      const parentPid = config.workerParentPid;
      if (parentPid) {
        // A replica whose autoscaler died (kill -9) would run on outside any fleet count and hold
        // its metrics port; it stops through its own SIGTERM path, so running tasks still drain.
        setInterval(() => {
          if (!isAlive(parentPid)) process.kill(process.pid, 'SIGTERM');
        }, 1_000).unref();
      }
      // SIGINT/SIGTERM shut every worker down (the SDK drains in-flight tasks first).
      await Promise.all(workers.map((w) => w.run()));
    } finally {
      await Promise.allSettled([...connections.values()].map((c) => c.close()));
    }
  };
  // A refused configuration: one line per problem, no stack; anything unexpected: its stack.
  main().catch(exitOnFailure(`worker-${lane}`, { linePerProblem: true }));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
