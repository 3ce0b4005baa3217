import type { Client } from '@temporalio/client';
// The package is CommonJS: a default import works under both Node's ESM loader and mocha.
import proto from '@temporalio/proto';
import { VIDEO_WORKFLOW_TYPE } from '../src/shared/video-job.js';
import { scrapeCounterTotal } from './prometheus-histogram.js';

const { EventType } = proto.temporal.api.enums.v1;

/** What one video job cost the engine, from the histories of jobs that completed (medians). */
export interface JobHistoryCost {
  sampled: number;
  events: number;
  workflowTasks: number;
  /** Search-attribute upserts: each one more write to the visibility store. */
  upserts: number;
  timersStarted: number;
  timersCanceled: number;
  activities: number;
}

/** The server's own counters over a window, per job that the window's webhooks made. */
export interface ServerWorkPerJob {
  persistenceRequests?: number;
  visibilityRequests?: number;
}

/**
 * Reads the histories of up to `sample` completed video jobs (the newest ones: the phase just
 * measured) and counts, per job, what the engine had to record and schedule.
 */
export async function sampleJobHistories(client: Client, sample = 20): Promise<JobHistoryCost | undefined> {
  const rows: Omit<JobHistoryCost, 'sampled'>[] = [];
  const query = `WorkflowType = "${VIDEO_WORKFLOW_TYPE}" AND ExecutionStatus = "Completed"`;
  for await (const run of client.workflow.list({ query, pageSize: sample })) {
    const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    const events = history.events ?? [];
    const count = (type: proto.temporal.api.enums.v1.EventType) =>
      events.filter((e) => e.eventType === type).length;
    rows.push({
      events: events.length,
      workflowTasks: count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
      upserts: count(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES),
      timersStarted: count(EventType.EVENT_TYPE_TIMER_STARTED),
      timersCanceled: count(EventType.EVENT_TYPE_TIMER_CANCELED),
      activities: count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
    });
    if (rows.length >= sample) break;
  }
  if (!rows.length) return undefined;
  const median = (key: keyof Omit<JobHistoryCost, 'sampled'>) => {
    const sorted = rows.map((r) => r[key]).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  return {
    sampled: rows.length,
    events: median('events'),
    workflowTasks: median('workflowTasks'),
    upserts: median('upserts'),
    timersStarted: median('timersStarted'),
    timersCanceled: median('timersCanceled'),
    activities: median('activities'),
  };
}

/** Starts a window over the server's persistence counters; the result is per job. */
export async function startServerWorkWindow(
  metricsUrl: string,
): Promise<(jobs: number) => Promise<ServerWorkPerJob>> {
  const read = () =>
    Promise.all([
      scrapeCounterTotal(metricsUrl, 'persistence_requests'),
      scrapeCounterTotal(metricsUrl, 'visibility_persistence_requests'),
    ]);
  const before = await read();
  return async (jobs) => {
    const after = await read();
    const per = (i: 0 | 1) => {
      const [b, a] = [before[i], after[i]];
      return a !== undefined && b !== undefined && jobs > 0
        ? Math.round(((a - b) / jobs) * 10) / 10
        : undefined;
    };
    return { persistenceRequests: per(0), visibilityRequests: per(1) };
  };
}
