import type { Config } from '../config.js';
import { freeLoopbackPort } from './free-ports.js';
import type { ServiceSpec } from './supervisor.js';

/** One of the urgent lane's worker processes on the cluster profile. */
export interface UrgentWorker {
  name: string;
  /** Where its SDK metrics are served; 0: off. */
  metricsPort: number;
}

export const urgentWorkerName = (n: number) => `worker-urgent-${n}`;

/**
 * The urgent lane's worker processes (URGENT_WORKER_REPLICAS). Replica 1 serves its metrics on
 * URGENT_WORKER_METRICS_PORT; the others on free loopback ports picked at start, since the ports
 * just above it are the video replicas'. With that setting 0, none serves them.
 */
export async function urgentWorkers(config: Config): Promise<UrgentWorker[]> {
  const first = config.workerMetrics.ports.urgent;
  const workers: UrgentWorker[] = [];
  for (let n = 1; n <= config.cluster.urgentWorkerReplicas; n += 1) {
    const metricsPort = !first ? 0 : n === 1 ? first : await freeLoopbackPort();
    workers.push({ name: urgentWorkerName(n), metricsPort });
  }
  return workers;
}

/**
 * Replaces the `worker-urgent` service with one per replica. Each polls the same task queues, so
 * the server hands a reset to whichever is free; while the supervisor restarts one that died
 * (several seconds: the process bundles the workflow code first), the others go on serving.
 */
export function asUrgentReplicas(services: ServiceSpec[], workers: UrgentWorker[]): ServiceSpec[] {
  const urgent = services.find((s) => s.name === 'worker-urgent');
  if (!urgent) return services;
  const copies = workers.map<ServiceSpec>((w) => ({
    ...urgent,
    name: w.name,
    env: { ...urgent.env, URGENT_WORKER_METRICS_PORT: String(w.metricsPort) },
  }));
  const at = services.indexOf(urgent);
  return [...services.slice(0, at), ...copies, ...services.slice(at + 1)];
}
