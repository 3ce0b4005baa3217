import type { NativeConnection } from '@temporalio/worker';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { TASK_QUEUES, type Lane } from '../shared/task-queues.js';
import { createDataConverter } from '../temporal/data-converter.js';
import { workflowSource } from './workflow-source.js';
import { buildUrgentActivities } from './urgent-activities.js';
import { buildVideoActivities } from './video-activities.js';

export interface LaneWorkerOptions {
  config: Config;
  log: Logger;
  connection: NativeConnection;
  /** Default: TEMPORAL_NAMESPACE (the urgent lane's own namespace is the other one it may serve). */
  namespace?: string;
  /** `urgent` or `video`; `shared` runs everything on one queue (comparison mode only). */
  lane: Lane | 'shared';
  /** Overrides for tests and benchmarks (e.g. a different task queue or slot count). */
  overrides?: Partial<WorkerOptions>;
}

/**
 * Creates the worker for one lane. Each lane has its own slots and pollers, so the urgent
 * lane's capacity is never used by video work; the video lane's provider and download calls
 * are rate-limited for the whole task queue by the server.
 */
export async function createLaneWorker(opts: LaneWorkerOptions): Promise<Worker> {
  const { config, lane } = opts;
  const common = {
    connection: opts.connection,
    namespace: opts.namespace ?? config.temporal.namespace,
    dataConverter: createDataConverter(config),
    ...(await workflowSource()),
  };
  const urgent = config.lanes.urgent;
  const video = config.lanes.video;
  let laneOptions: WorkerOptions;
  if (lane === 'urgent') {
    laneOptions = {
      ...common,
      taskQueue: TASK_QUEUES.urgent,
      activities: buildUrgentActivities(config, opts.log),
      maxConcurrentActivityTaskExecutions: urgent.activitySlots,
      // Reset mails sent as local activities (PASSWORD_RESET_MAIL_AS) use the same capacity.
      maxConcurrentLocalActivityExecutions: urgent.activitySlots,
      maxConcurrentWorkflowTaskExecutions: urgent.workflowSlots,
      // Resets wait (open) for their link for up to PASSWORD_RESET_TTL: without a bound the SDK
      // keeps thousands of them in memory (its default grows with the heap limit).
      maxCachedWorkflows: urgent.cachedWorkflows,
      // A run's next task (a redeem) goes first to the process that holds it in memory. If that
      // process died, the server moves the task to the shared queue after this long (the SDK's
      // default is 10 s, longer than the API waits for a redeem); another process replays the
      // run's short history.
      stickyQueueScheduleToStartTimeout: '1s',
    };
  } else if (lane === 'video') {
    laneOptions = {
      ...common,
      taskQueue: TASK_QUEUES.video,
      activities: buildVideoActivities(config, opts.log),
      maxConcurrentActivityTaskExecutions: video.activitySlots,
      // Small videos are downloaded as local activities (inside the job's workflow task): the
      // same bound on concurrent downloads per process as activity tasks have.
      maxConcurrentLocalActivityExecutions: video.activitySlots,
      maxConcurrentWorkflowTaskExecutions: video.workflowSlots,
      maxTaskQueueActivitiesPerSecond: video.queueActivitiesPerSecond,
      // Downloads heartbeat their byte offset; sending it every 2 s (not the default 80% of the
      // heartbeat timeout) means a crashed worker's successor re-fetches at most ~2 s of bytes.
      maxHeartbeatThrottleInterval: '2s',
      // A replica stopped by the autoscaler (SIGTERM) lets its in-flight downloads finish first.
      shutdownGraceTime: video.shutdownGraceMs,
    };
  } else {
    // One pool for all kinds of work, sized as both lanes together: the design being compared against.
    laneOptions = {
      ...common,
      taskQueue: TASK_QUEUES.shared,
      activities: { ...buildVideoActivities(config, opts.log), ...buildUrgentActivities(config, opts.log) },
      maxConcurrentActivityTaskExecutions: urgent.activitySlots + video.activitySlots,
      maxConcurrentLocalActivityExecutions: urgent.activitySlots,
      maxConcurrentWorkflowTaskExecutions: urgent.workflowSlots + video.workflowSlots,
    };
  }
  return Worker.create({ ...laneOptions, ...opts.overrides });
}
