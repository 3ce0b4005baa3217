import { z } from 'zod';
import { bool, port, type Parsed } from './setting-types.js';

/** The local stack's own services (`npm start`, `start:cluster`). */
export const stackSettings = {
  // Local stack (npm start)
  PROVIDER_SIM_PORT: port.default(4010).meta({ description: "local stack's simulated provider" }),
  SMTP_SINK_PORT: port.default(2525).meta({ description: "local stack's SMTP sink" }),
  STACK_RESTART_CHILDREN: bool
    .default(true)
    .meta({ description: '`npm start` restarts any crashed service, Temporal included (capped backoff)' }),
};

/** Which lanes the local stack runs, and how (listed after the cluster's settings). */
export const stackLaneSettings = {
  // Niceness of the video worker and the provider simulator in `npm start` (0 = same as the rest).
  STACK_BACKGROUND_NICE: z.coerce.number().int().min(0).max(19).default(10).meta({
    description:
      'Niceness (0–19) of the video lane (the worker, or the autoscaler and its replicas) and the provider simulator in `npm start` and `start:cluster`; the API, urgent worker and Temporal stay at normal priority (0 = off)',
  }),
  // off: the local stack runs no video worker (they run elsewhere, against the same Temporal).
  STACK_VIDEO_LANE: z.enum(['on', 'off']).default('on').meta({
    description:
      '`off`: `npm start` and `start:cluster` run no video worker here (run `npx tsx src/workers/video.ts` elsewhere against the same Temporal); set `READY_TASK_QUEUES=urgent` too while no video worker polls',
  }),
  // Niceness of the server left to the video lane once the urgent lane has a server of its own
  // (measured in docs/performance.md: the resets' ratio under a storm fell from 3.0x to 2.0x).
  STACK_VIDEO_SERVER_NICE: z.coerce.number().int().min(0).max(19).default(5).meta({
    description:
      "Niceness (0–19) of `start:cluster`'s shared Temporal server and its PostgreSQL backends while the urgent lane has a server of its own (`STACK_URGENT_SERVER=own`): they then serve only the video lane and the webhooks' acks, so a burst's engine work yields the CPU to the urgent server's (0 = off)",
  }),
  /** `own`: a second Temporal server for the urgent lane, so resets never queue behind video tasks. */
  STACK_URGENT_SERVER: z.enum(['shared', 'own']).default('shared').meta({
    description:
      '`own`: the urgent lane gets a Temporal server of its own, with its own Web UI, and the API and workers get its `URGENT_TEMPORAL_ADDRESS`. `npm start` runs a dev server (`DATA_DIR/temporal-urgent.sqlite`; `URGENT_TEMPORAL_DEV_SERVER_ARGS`, not `TEMPORAL_DEV_SERVER_ARGS`, applies to it); `start:cluster` (where `own` is the default) a second server on the same PostgreSQL (databases `temporal_urgent`, `temporal_urgent_visibility`) and mTLS, its frontend on `URGENT_TEMPORAL_PORT` (below 32768); `shared`: one server for both lanes',
  }),
};

export type StackEnv = Parsed<typeof stackSettings & typeof stackLaneSettings>;

export function stackSection(e: StackEnv) {
  return {
    providerSimPort: e.PROVIDER_SIM_PORT,
    smtpSinkPort: e.SMTP_SINK_PORT,
    restartChildren: e.STACK_RESTART_CHILDREN,
    backgroundNice: e.STACK_BACKGROUND_NICE,
    videoServerNice: e.STACK_VIDEO_SERVER_NICE,
    runsVideoLane: e.STACK_VIDEO_LANE === 'on',
    ownUrgentServer: e.STACK_URGENT_SERVER === 'own',
  };
}
