import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { duration, port, positiveInt, type Parsed } from './setting-types.js';

/** The video lane's autoscaler. */
export const autoscaleSettings = {
  // Video lane autoscaler (VIDEO_AUTOSCALE=on: `npm start` runs it in place of the one video worker)
  VIDEO_AUTOSCALE: z
    .enum(['on', 'off'])
    .default('off')
    .meta({ description: '`on`: `npm start` runs the autoscaler in place of the one video worker' }),
  AUTOSCALE_MIN_REPLICAS: positiveInt
    .default(1)
    .meta({ description: 'lower bound of the video worker fleet' }),
  AUTOSCALE_MAX_REPLICAS: positiveInt
    .default(4)
    .meta({ description: 'upper bound of the video worker fleet' }),
  AUTOSCALE_INTERVAL: duration
    .default(5_000)
    .meta({ description: 'how often the autoscaler reads the backlog and decides' }),
  /** Waiting tasks one replica is expected to clear; the backlog divided by this is the replica count. */
  AUTOSCALE_BACKLOG_PER_REPLICA: positiveInt
    .default(50)
    .meta({ description: 'waiting tasks per replica: backlog ÷ this = replicas wanted' }),
  /** An oldest waiting task older than this asks for one more replica. */
  AUTOSCALE_MAX_BACKLOG_AGE: duration.default(30_000).meta({
    description: 'an oldest waiting task older than this asks for one more replica',
  }),
  /** No scale-in until this long after the last change, so a burst's tail does not flap the fleet. */
  AUTOSCALE_COOLDOWN: duration.default(30_000).meta({
    description: 'no scale-in until this long after the last change (scale-out never waits)',
  }),
  AUTOSCALE_METRICS_PORT: port
    .default(9463)
    .meta({ description: "the autoscaler's Prometheus endpoint (`0`: any free port)" }),
  AUTOSCALE_CPU_CEILING: z
    .union([z.literal('off'), z.coerce.number().int().min(1).max(100)])
    .default(80)
    .transform((v) => (v === 'off' ? undefined : v / 100))
    .meta({
      description:
        "busy share of the machine's CPU (percent) at which the local autoscaler adds no video replica: its replicas share this machine, so more of them cannot clear a backlog the CPU holds; `off` where replicas land on other machines",
      shown: '80',
    }),
};

export type AutoscaleEnv = Parsed<typeof autoscaleSettings>;

export function checkAutoscaleBounds(e: AutoscaleEnv): void {
  if (e.AUTOSCALE_MIN_REPLICAS > e.AUTOSCALE_MAX_REPLICAS) {
    throw new ConfigError(
      'invalid configuration:\n  AUTOSCALE_MIN_REPLICAS: must not be above AUTOSCALE_MAX_REPLICAS',
    );
  }
}

export function autoscaleSection(e: AutoscaleEnv) {
  return {
    enabled: e.VIDEO_AUTOSCALE === 'on',
    minReplicas: e.AUTOSCALE_MIN_REPLICAS,
    maxReplicas: e.AUTOSCALE_MAX_REPLICAS,
    intervalMs: e.AUTOSCALE_INTERVAL,
    backlogPerReplica: e.AUTOSCALE_BACKLOG_PER_REPLICA,
    maxBacklogAgeMs: e.AUTOSCALE_MAX_BACKLOG_AGE,
    cooldownMs: e.AUTOSCALE_COOLDOWN,
    metricsPort: e.AUTOSCALE_METRICS_PORT,
    /** Busy share (0…1) of this machine's CPU above which no replica is added; undefined: no ceiling. */
    cpuCeiling: e.AUTOSCALE_CPU_CEILING,
  };
}
