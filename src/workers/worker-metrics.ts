import { Runtime } from '@temporalio/worker';
import type { Config } from '../config.js';
import type { Lane } from '../shared/task-queues.js';

export interface WorkerMetricsResult {
  /** host:port served, when the exporter is on. */
  address?: string;
  /** Why the exporter is not running, when it was asked for and could not start. */
  error?: string;
}

/**
 * Turns on the Temporal SDK's Prometheus exporter for this worker process (task slots in use,
 * schedule-to-start latency, poll and execution counts, each labelled with its task queue).
 * The runtime can be installed once only and before any connection, so this runs first.
 * A port already in use costs the metrics, not the worker: the lane keeps serving work.
 */
export function installWorkerMetrics(config: Config, lane: Lane): WorkerMetricsResult {
  const port = config.workerMetrics.ports[lane];
  if (!port) return {};
  const address = `${config.workerMetrics.host}:${port}`;
  try {
    Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: address } } } });
    return { address };
  } catch (err) {
    return { error: `metrics exporter on ${address} not started: ${(err as Error).message}` };
  }
}
