import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Config } from '../../config.js';
import { TASK_QUEUES } from '../../shared/task-queues.js';
import { Supervisor } from '../../stack/supervisor.js';
import { connectClient, temporalAddress } from '../../temporal/client.js';
import { Autoscaler } from './autoscaler.js';
import { createAutoscalerMetrics, serveMetrics } from './autoscaler-metrics.js';
import { formatDecision, type DecisionRecord } from './decision-line.js';
import { readLaneBacklog } from './lane-backlog.js';
import { machineCpuSampler } from './machine-cpu.js';
import type { ScalingPolicy } from './scaling-policy.js';
import { VideoFleet } from './video-fleet.js';

export interface VideoAutoscalerOptions {
  /** Extra environment for the replicas (the process environment is inherited). */
  env?: Record<string, string>;
  /** Every output line: decisions and the replicas' own lines, tagged with their name. */
  print(line: string): void;
  onDecision?(decision: DecisionRecord): void;
}

export interface RunningVideoAutoscaler {
  autoscaler: Autoscaler;
  fleet: VideoFleet;
  supervisor: Supervisor;
  metricsUrl: string;
  /** Stops deciding, then drains and stops every replica, then the metrics endpoint. */
  stop(): Promise<void>;
}

export function policyFromConfig(config: Config): ScalingPolicy {
  const a = config.autoscale;
  return {
    minReplicas: a.minReplicas,
    maxReplicas: a.maxReplicas,
    backlogPerReplica: a.backlogPerReplica,
    maxBacklogAgeSeconds: a.maxBacklogAgeMs / 1000,
    cooldownSeconds: a.cooldownMs / 1000,
    ...(a.cpuCeiling !== undefined && { cpuCeiling: a.cpuCeiling }),
  };
}

/**
 * The video lane's autoscaler: its metrics endpoint, a supervisor for the replicas (restarts
 * crashed ones, PID files under DATA_DIR/run), the fleet at the minimum, and the decision loop.
 */
export async function startVideoAutoscaler(
  config: Config,
  opts: VideoAutoscalerOptions,
): Promise<RunningVideoAutoscaler> {
  const taskQueue = TASK_QUEUES.video;
  const metrics = createAutoscalerMetrics();
  const metricsServer: Server = await serveMetrics(
    metrics.registry,
    config.workerMetrics.host,
    config.autoscale.metricsPort,
  );
  const client = await connectClient(config);
  const supervisor = new Supervisor({
    restart: true,
    print: (name, line) => opts.print(`[${name}] ${line}`),
    onFatal: () => undefined,
    pidDir: join(config.dataDir, 'run'),
  });
  // A replica must outlive its own drain, so its kill comes a little after the SDK's grace time.
  const fleet = new VideoFleet({
    supervisor,
    env: { TEMPORAL_ADDRESS: temporalAddress(config), ...opts.env },
    metricsBasePort: config.workerMetrics.ports.video,
    stopGraceMs: config.lanes.video.shutdownGraceMs + 5_000,
  });
  let lastLogged = '';
  const autoscaler = new Autoscaler({
    taskQueue,
    policy: policyFromConfig(config),
    intervalMs: config.autoscale.intervalMs,
    readBacklog: () => readLaneBacklog(client, config.temporal.namespace, taskQueue),
    // This autoscaler runs its replicas on its own machine: the machine's CPU bounds them.
    readMachineCpu: machineCpuSampler(),
    scaleTo: (n) => fleet.scaleTo(n),
    metrics,
    onDecision: (d) => {
      // Every change is logged; a steady decision only when what it saw or said is new, so an
      // idle lane logs once rather than every interval.
      const key = `${d.direction}|${d.reason}|${d.backlog.backlogCount}`;
      if (d.direction !== 'steady' || key !== lastLogged) opts.print(formatDecision(d));
      lastLogged = key;
      opts.onDecision?.(d);
    },
    onError: (err) => opts.print(`backlog read failed, fleet left as is: ${(err as Error).message}`),
  });
  try {
    await autoscaler.start();
  } catch (err) {
    await supervisor.stopAll();
    await client.connection.close();
    metricsServer.close();
    throw err;
  }
  const address = metricsServer.address();
  const port = typeof address === 'object' && address ? address.port : config.autoscale.metricsPort;
  return {
    autoscaler,
    fleet,
    supervisor,
    metricsUrl: `http://${config.workerMetrics.host}:${port}/metrics`,
    stop: async () => {
      await autoscaler.stop();
      await fleet.scaleTo(0);
      await supervisor.stopAll();
      await client.connection.close();
      await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
    },
  };
}
