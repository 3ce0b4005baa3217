import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { duration, port, positiveInt, type Parsed } from './setting-types.js';
import type { StackEnv } from './stack.js';
import type { TemporalEnv } from './temporal.js';

/** The lanes' task queues and their workers' capacity. */
export const laneSettings = {
  // Lanes and capacity
  LANE_MODE: z
    .enum(['dedicated', 'shared'])
    .default('dedicated')
    .meta({ description: '`shared` runs everything on one queue and pool — for benchmarks and tests only' }),
  URGENT_ACTIVITY_SLOTS: positiveInt
    .default(20)
    .meta({ description: 'urgent worker capacity: activity slots' }),
  URGENT_WORKFLOW_SLOTS: positiveInt
    .default(20)
    .meta({ description: 'urgent worker capacity: workflow task slots' }),
  /**
   * A reset's workflow stays open until its link is used or expires (PASSWORD_RESET_TTL), so an
   * unbounded sticky cache grows with every reset of the last half hour; past this many the
   * least recently used is evicted and replayed from its short history if its link is used.
   */
  URGENT_CACHED_WORKFLOWS: positiveInt.default(200).meta({
    description:
      'urgent worker: open workflows kept in memory (per server it serves); more are replayed when touched again. At least `URGENT_WORKFLOW_SLOTS`',
  }),
  VIDEO_ACTIVITY_SLOTS: positiveInt
    .default(20)
    .meta({ description: 'video worker capacity: activity slots' }),
  VIDEO_WORKFLOW_SLOTS: positiveInt
    .default(40)
    .meta({ description: 'video worker capacity: workflow task slots' }),
  /** Server-enforced cap on provider/download activities per second across the whole video queue. */
  VIDEO_QUEUE_ACTIVITIES_PER_SECOND: z.coerce
    .number()
    .positive()
    .default(200)
    .meta({ description: 'server-enforced rate limit for the whole `video` queue' }),
  /** tenant=weight pairs for Fairness on the video lane, e.g. "acme=3,bulkco=1". */
  TENANT_FAIRNESS_WEIGHTS: z
    .string()
    .default('')
    .meta({ description: '`tenant=weight,…` Fairness weights on the video lane' }),
  /** How long a stopping video worker lets in-flight activities finish before cancelling them. */
  VIDEO_WORKER_SHUTDOWN_GRACE: duration.default(30_000).meta({
    description: 'a stopping video worker lets in-flight activities finish this long first',
  }),
};

/** The workers' metrics exporters (listed after the autoscaler's settings). */
export const workerMetricsSettings = {
  // Worker metrics (the Temporal SDK's Prometheus exporter; 0 turns a lane's exporter off)
  WORKER_METRICS_HOST: z
    .string()
    .default('127.0.0.1')
    .meta({ description: 'bind address of every metrics exporter (`0.0.0.0` in containers)' }),
  URGENT_WORKER_METRICS_PORT: port
    .default(9464)
    .meta({ description: "SDK metrics of the urgent lane's worker; `0` off" }),
  /** The video worker's port; autoscaled replica n (from 1) listens on this + n - 1. */
  VIDEO_WORKER_METRICS_PORT: port
    .default(9465)
    .meta({ description: "SDK metrics of the video lane's worker; replica n uses this + n − 1; `0` off" }),
  /** Set by the autoscaler on its replicas: a replica whose autoscaler is gone stops itself. */
  WORKER_PARENT_PID: positiveInt.optional().meta({
    description:
      'set by the autoscaler on its replicas: a replica whose autoscaler is gone stops itself (not for users)',
  }),
};

export type LanesEnv = Parsed<typeof laneSettings & typeof workerMetricsSettings>;

export function checkLanes(
  e: LanesEnv &
    Pick<TemporalEnv, 'URGENT_TEMPORAL_ADDRESS' | 'URGENT_TEMPORAL_NAMESPACE'> &
    Pick<StackEnv, 'STACK_URGENT_SERVER'>,
): void {
  if (
    e.LANE_MODE === 'shared' &&
    (e.URGENT_TEMPORAL_ADDRESS || e.URGENT_TEMPORAL_NAMESPACE || e.STACK_URGENT_SERVER === 'own')
  ) {
    // One shared queue and pool serves everything on one server: resets sent elsewhere would never run.
    throw new ConfigError(
      'invalid configuration:\n  URGENT_TEMPORAL_ADDRESS / URGENT_TEMPORAL_NAMESPACE / STACK_URGENT_SERVER=own: need LANE_MODE=dedicated',
    );
  }
  if (e.URGENT_CACHED_WORKFLOWS < e.URGENT_WORKFLOW_SLOTS) {
    // The SDK would quietly cut the slots down to the cache's size instead.
    throw new ConfigError(
      `invalid configuration:\n  URGENT_CACHED_WORKFLOWS: ${e.URGENT_CACHED_WORKFLOWS} is below URGENT_WORKFLOW_SLOTS (${e.URGENT_WORKFLOW_SLOTS}); raise it or lower the slots`,
    );
  }
}

export function lanesSection(e: LanesEnv) {
  return {
    mode: e.LANE_MODE,
    urgent: {
      activitySlots: e.URGENT_ACTIVITY_SLOTS,
      workflowSlots: e.URGENT_WORKFLOW_SLOTS,
      cachedWorkflows: e.URGENT_CACHED_WORKFLOWS,
    },
    video: {
      activitySlots: e.VIDEO_ACTIVITY_SLOTS,
      workflowSlots: e.VIDEO_WORKFLOW_SLOTS,
      queueActivitiesPerSecond: e.VIDEO_QUEUE_ACTIVITIES_PER_SECOND,
      shutdownGraceMs: e.VIDEO_WORKER_SHUTDOWN_GRACE,
    },
    tenantFairnessWeights: parseWeights(e.TENANT_FAIRNESS_WEIGHTS),
  };
}

export function workerMetricsSection(e: LanesEnv) {
  return {
    host: e.WORKER_METRICS_HOST,
    ports: { urgent: e.URGENT_WORKER_METRICS_PORT, video: e.VIDEO_WORKER_METRICS_PORT },
  };
}

function parseWeights(spec: string): Record<string, number> {
  const weights: Record<string, number> = {};
  for (const pair of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [tenant, weight] = pair.split('=');
    const w = Number(weight);
    if (!tenant || !Number.isFinite(w) || w <= 0) {
      throw new ConfigError(
        `invalid configuration:\n  TENANT_FAIRNESS_WEIGHTS: "${pair}" is not tenant=weight`,
      );
    }
    weights[tenant] = w;
  }
  return weights;
}
