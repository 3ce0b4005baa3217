import { defineQuery, defineSignal } from '@temporalio/workflow';

/**
 * What crosses the VideoJob workflow boundary: the API, the workers and the workflow all
 * import these definitions from here, so a signal or query name is spelled once.
 */

/** The provider's view of a job (Replicate prediction statuses). */
export type ProviderStatus = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled';

export const PROVIDER_STATUSES: readonly ProviderStatus[] = [
  'starting',
  'processing',
  'succeeded',
  'failed',
  'canceled',
];

/** Floodgate's view of a job: the provider's statuses plus its own steps before and after. */
export type VideoStatus =
  'submitting' | 'waiting' | ProviderStatus | 'downloading' | 'notifying' | 'completed';

export type VideoPlan = 'paid' | 'free';

/** A webhook or a status poll, normalized whatever its source. */
export interface ProviderEvent {
  /** Unique per event at the source (`webhook-id`, `event_id`, or a body hash); the dedupe key. */
  eventId: string;
  videoId: string;
  status: ProviderStatus;
  downloadUrl?: string;
  error?: string;
  /** ISO-8601 time the source says the event happened. */
  occurredAt: string;
  providerJobId?: string;
  /** Integrity hints when the source gives them. */
  sizeBytes?: number;
  checksumSha256?: string;
}

export interface VideoJobInput {
  videoId: string;
  tenantId: string;
  plan: VideoPlan;
  /** true: Floodgate submits the job to the provider; false: adopted from a webhook. */
  submit: boolean;
  /** Model input passed to the provider on submit. */
  providerInput?: Record<string, unknown>;
  requesterEmail?: string;
  /** Without a terminal event after this long, the job polls the provider. */
  reconcileAfterMs: number;
  providerJobId?: string;
  /** Provider events one run takes in before it continues as new (VIDEO_JOB_MAX_EVENTS); absent in older runs. */
  maxEvents?: number;
  /**
   * Videos up to this size are downloaded inside the workflow task (DOWNLOAD_IN_TASK_MAX_BYTES);
   * 0: never. Absent in older runs, which take the default.
   */
  downloadInTaskMaxBytes?: number;
}

/**
 * The most a video downloaded inside a workflow task may be: below S3's smallest part (5 MiB),
 * so such a video is one PutObject with nothing to resume after a crash (a retry fetches it
 * whole, which a heartbeat could not have spared). Also the setting's default.
 */
export const QUICK_DOWNLOAD_CEILING_BYTES = 4 * 1024 * 1024;

export interface VideoJobState {
  videoId: string;
  tenantId: string;
  status: VideoStatus;
  providerStatus?: ProviderStatus;
  providerJobId?: string;
  downloadUrl?: string;
  storedPath?: string;
  storedBytes?: number;
  error?: string;
  /** Distinct events applied or ignored; duplicates are not counted twice. */
  eventsSeen: number;
  duplicatesIgnored: number;
  /** Events of a prediction other than this job's own (e.g. the run before a retry): never applied. */
  foreignEventsIgnored: number;
  /** Events beyond the run's bound that came before its submit answered: counted, never applied. */
  eventsRefused: number;
  /** Times the job continued as new to keep its history bounded. */
  runsContinued: number;
  polls: number;
  updatedAt: string;
}

/** What a run hands to the next when it continues as new: its state, not its history. */
export interface VideoJobCarry {
  state: VideoJobState;
  integrity: { sizeBytes?: number; checksumSha256?: string };
  /** The latest event ids, so a prompt redelivery is still recognised; older ones cannot move the job back anyway. */
  recentEventIds: string[];
  /** Workflow time (ms) at which the job starts polling the provider. */
  reconcileDueAt: number;
  /** Already polling: the next run polls at once. */
  reconciling: boolean;
}

/** Without VIDEO_JOB_MAX_EVENTS in the input (runs started before it existed). */
export const DEFAULT_VIDEO_JOB_MAX_EVENTS = 500;

export interface VideoJobResult {
  videoId: string;
  status: 'completed';
  storedPath: string;
  storedBytes: number;
}

/** The workflow type name, for callers that must not load workflow code. */
export const VIDEO_WORKFLOW_TYPE = 'videoJob';

export const providerEventSignal = defineSignal<[ProviderEvent]>('providerEvent');
export const statusQuery = defineQuery<VideoJobState>('status');
/** The run's input, so an operator's retry can start the next run from it. */
export const inputQuery = defineQuery<VideoJobInput>('input');

export const VIDEO_WORKFLOW_PREFIX = 'video-';

export function videoWorkflowId(videoId: string): string {
  return `${VIDEO_WORKFLOW_PREFIX}${videoId}`;
}

/** Video ids become file names: a conservative alphabet and length, nothing else. */
export function isValidVideoId(id: unknown): id is string {
  return typeof id === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(id);
}

export function isProviderStatus(value: unknown): value is ProviderStatus {
  return typeof value === 'string' && (PROVIDER_STATUSES as readonly string[]).includes(value);
}

export function isTerminalProviderStatus(status: ProviderStatus | undefined): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'canceled';
}

/** Later stages rank higher; an event never moves a job to a lower rank. */
export function providerStatusRank(status: ProviderStatus | undefined): number {
  if (status === undefined) return 0;
  if (status === 'starting') return 1;
  if (status === 'processing') return 2;
  return 3;
}
