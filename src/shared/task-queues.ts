/**
 * Lanes. Each lane is a Temporal task queue with its own worker process(es), so urgent work
 * never waits for a slot that video work holds. `shared` exists only for the comparison mode
 * (LANE_MODE=shared) used by benchmarks and tests: everything on one queue, one worker pool,
 * the way the original design's workers consumed `high,medium,low`.
 */
export const TASK_QUEUES = {
  urgent: 'urgent',
  video: 'video',
  shared: 'shared',
} as const;

export type Lane = 'urgent' | 'video';
export type LaneMode = 'dedicated' | 'shared';

export function taskQueueFor(lane: Lane, mode: LaneMode): string {
  return mode === 'shared' ? TASK_QUEUES.shared : TASK_QUEUES[lane];
}

/**
 * Temporal Priority keys (1 = highest … 5). Inside a queue, lower numbers are dispatched first.
 */
export const PRIORITY = {
  passwordReset: 1,
  paidVideo: 2,
  notificationMail: 3,
  freeVideo: 4,
} as const;
