import type { Client } from '@temporalio/client';
import type proto from '@temporalio/proto';
import { passwordResetWorkflowId } from '../src/api/password-reset-id.js';
import { summarize, type LatencySummary } from '../dev/provider/latency-recorder.js';
import type { Delivery } from './reset-probe.js';

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

/**
 * Where a reset's time goes, from its workflow history (server clock) and the bench's clock
 * (same machine). The phases add up to request → mail accepted:
 * - `api`: request sent → the server recorded the start (HTTP, API process, signalWithStart)
 * - `workflowTaskQueued`: first workflow task scheduled → a worker took it
 * - `workflowTaskRun`: taken → completed (the urgent worker ran the workflow code)
 * - `activityQueued`: mail activity scheduled → a worker took it
 * - `mailSend`: activity taken → the mail landed in the SMTP sink's folder
 * When the mail goes out as a local activity (no activity events, a marker instead), it is sent
 * inside the first workflow task: `workflowTaskRun` and `activityQueued` are 0 and `mailSend`
 * runs from that task's start to the mail landing.
 */
export const PHASES = ['api', 'workflowTaskQueued', 'workflowTaskRun', 'activityQueued', 'mailSend'] as const;
export type Phase = (typeof PHASES)[number];

/** One reset: when it was sent, its total latency and each phase (ms). */
export type PhaseRow = { sentAt: string; totalMs: number } & Record<Phase, number>;

export interface PhaseBreakdown {
  /** Per phase, over every delivery whose history could be read. */
  phases: Record<Phase, LatencySummary>;
  /** The slowest deliveries, phase by phase (ms). */
  slowest: PhaseRow[];
}

export async function breakDownResets(
  client: Client,
  idKey: string,
  deliveries: Delivery[],
): Promise<PhaseBreakdown> {
  const rows: PhaseRow[] = [];
  for (const delivery of deliveries) {
    const workflowId = passwordResetWorkflowId(delivery.userId, idKey);
    try {
      const { events } = await client.workflow.getHandle(workflowId).fetchHistory();
      const row = phasesOf(delivery, events ?? []);
      if (row) rows.push(row);
    } catch {
      // A history that cannot be read leaves the breakdown a row short; the latency stands.
    }
  }
  const phases = Object.fromEntries(PHASES.map((p) => [p, summarize(rows.map((r) => r[p]))])) as Record<
    Phase,
    LatencySummary
  >;
  const slowest = [...rows].sort((a, b) => b.totalMs - a.totalMs).slice(0, 5);
  return { phases, slowest };
}

function phasesOf(delivery: Delivery, events: HistoryEvent[]): PhaseRow | undefined {
  const first = (key: keyof HistoryEvent) => {
    const event = events.find((e) => e[key]);
    return event?.eventTime ? timestampMs(event.eventTime) : undefined;
  };
  const started = first('workflowExecutionStartedEventAttributes');
  const wfScheduled = first('workflowTaskScheduledEventAttributes');
  const wfStarted = first('workflowTaskStartedEventAttributes');
  const wfCompleted = first('workflowTaskCompletedEventAttributes');
  const actScheduled = first('activityTaskScheduledEventAttributes');
  const actStarted = first('activityTaskStartedEventAttributes');
  const local = actScheduled === undefined && first('markerRecordedEventAttributes') !== undefined;
  if (local && started !== undefined && wfScheduled !== undefined && wfStarted !== undefined) {
    return {
      sentAt: new Date(delivery.sentAt).toISOString(),
      totalMs: delivery.receivedAt - delivery.sentAt,
      api: started - delivery.sentAt,
      workflowTaskQueued: wfStarted - wfScheduled,
      workflowTaskRun: 0,
      activityQueued: 0,
      mailSend: delivery.receivedAt - wfStarted,
    };
  }
  if ([started, wfScheduled, wfStarted, wfCompleted, actScheduled, actStarted].includes(undefined)) return;
  return {
    sentAt: new Date(delivery.sentAt).toISOString(),
    totalMs: delivery.receivedAt - delivery.sentAt,
    api: started! - delivery.sentAt,
    workflowTaskQueued: wfStarted! - wfScheduled!,
    workflowTaskRun: wfCompleted! - wfStarted!,
    activityQueued: actStarted! - actScheduled!,
    mailSend: delivery.receivedAt - actStarted!,
  };
}

function timestampMs(ts: { seconds?: { toString(): string } | null; nanos?: number | null }): number {
  return Number(ts.seconds?.toString() ?? 0) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}
