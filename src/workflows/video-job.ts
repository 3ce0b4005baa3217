import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  metricMeter,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  TemporalFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createEmailActivities } from '../activities/email.js';
import type { createDownloadActivities } from '../activities/video/download-activities.js';
import type { createProviderActivities, ProviderSnapshot } from '../activities/video/provider-activities.js';
import { TenantIdAttribute, VideoStatusAttribute } from '../shared/search-attributes.js';
import { PRIORITY, TASK_QUEUES } from '../shared/task-queues.js';
import {
  DEFAULT_VIDEO_JOB_MAX_EVENTS,
  inputQuery,
  isTerminalProviderStatus,
  providerEventSignal,
  providerStatusRank,
  QUICK_DOWNLOAD_CEILING_BYTES,
  statusQuery,
  type ProviderEvent,
  type VideoJobCarry,
  type VideoJobInput,
  type VideoJobResult,
  type VideoJobState,
  type VideoStatus,
} from '../shared/video-job.js';

// The whole failure policy of a video job, in one place.
const provider = proxyActivities<ReturnType<typeof createProviderActivities>>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
});
const storage = proxyActivities<ReturnType<typeof createDownloadActivities>>({
  startToCloseTimeout: '1h',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '2m', maximumAttempts: 10 },
});
/**
 * A small video's download as a local activity: it runs inside the workflow task that took the
 * terminal event, so the job needs no activity task and no further workflow task (the server's
 * dispatch, start, completion and task writes for both). Few attempts, short: if they all fail,
 * the download is scheduled as an activity task with the full policy above.
 */
const quickStorage = proxyLocalActivities<ReturnType<typeof createDownloadActivities>>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '4s', maximumAttempts: 3 },
});
/** Cleanup after a download gave up: short, since the job's failure waits on it. */
const storageCleanup = proxyActivities<
  Pick<ReturnType<typeof createDownloadActivities>, 'discardPartialVideo'>
>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 },
});
/** Mail runs on the urgent lane's workers (the shared queue in comparison mode), at notification priority. */
function mailActivities() {
  return proxyActivities<Pick<ReturnType<typeof createEmailActivities>, 'sendVideoReadyEmail'>>({
    taskQueue: workflowInfo().taskQueue === TASK_QUEUES.shared ? TASK_QUEUES.shared : TASK_QUEUES.urgent,
    priority: { priorityKey: PRIORITY.notificationMail },
    startToCloseTimeout: '30s',
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
  });
}

/**
 * Runs started before the engine-cost cuts (below) replay the old path, so a deploy does not
 * break the jobs in flight. A new run records the marker once, with one search-attribute upsert.
 */
export const ENGINE_CUTS_PATCH = 'video-job-fewer-engine-writes';

/**
 * Histories recorded before it replay the old path: every event for the video taken at once,
 * every event id kept. With it, a run takes only its own prediction's events (holding those that
 * come before its submit answers), and continues as new after `maxEvents` events. Asked only
 * where it changes something, so a plain job's history gains no marker.
 */
export const OWN_EVENTS_PATCH = 'video-job-own-prediction-bounded-runs';

/**
 * Runs continued before it submitted to the provider again (their input still says `submit`):
 * a second prediction, billed, whose events the job then ignored as another prediction's. With
 * it a continued run never submits. Asked only in continued runs of submitting jobs.
 */
export const NO_RESUBMIT_PATCH = 'video-job-continued-run-no-resubmit';

/**
 * Before it, a job whose download gave up failed at once, and the bytes kept for the download's
 * retries (a partial file, an open multipart upload) stayed in the store for good. With it the
 * job drops them first. Asked only on that path, so a job that downloads records no marker.
 */
export const DISCARD_PARTIAL_PATCH = 'video-job-discard-partial-download';

/**
 * Runs recorded before it downloaded every video as an activity task. With it, a video of at
 * most the input's `downloadInTaskMaxBytes` is downloaded inside the workflow task that took its
 * terminal event. Asked only when the video may be that small, so other jobs' histories gain no
 * marker.
 */
export const LOCAL_DOWNLOAD_PATCH = 'video-job-small-download-in-workflow-task';

/** Event ids a run hands on when it continues as new: a prompt redelivery is still a duplicate. */
export const CARRIED_EVENT_IDS = 100;

/**
 * What the `VideoStatus` search attribute shows: Floodgate's phase. The provider's own progress
 * (starting, processing, succeeded) stays in the job's state (status query, `GET /videos/:id`)
 * and its Web UI details, because every upsert is a write to the visibility store: indexing
 * every status took seven upserts for the storm's three-webhook job, the phases take three.
 */
export function indexedStatus(status: VideoStatus): VideoStatus {
  return status === 'starting' || status === 'processing' || status === 'succeeded' ? 'waiting' : status;
}

/** Reconciliation: polls start this long after the last one and back off to a ceiling, a bounded number of times. */
export const RECONCILE_POLL = { firstDelayMs: 15_000, maxDelayMs: 5 * 60_000, maxPolls: 20 } as const;

/**
 * One video, from submission (or adoption by its first webhook) to a stored file. Provider
 * events arrive as signals; a run keeps the ids it has seen (and hands the latest on when it
 * continues as new), so a redelivered webhook changes nothing, a late event never moves the job
 * backwards, and another prediction's event is counted, not applied. If no terminal event comes
 * within `reconcileAfterMs`, it asks the provider itself. `carry` is the previous run's state.
 */
export async function videoJob(input: VideoJobInput, carry?: VideoJobCarry): Promise<VideoJobResult> {
  const lean = patched(ENGINE_CUTS_PATCH);
  /**
   * Asked only where the guard changes what the job does (an event before the submit answers,
   * another prediction's event, the bound reached), so a plain job records no extra marker and
   * no extra search-attribute write; once asked, the answer holds for the run.
   */
  let guardAnswer: boolean | undefined;
  const guarded = () => (guardAnswer ??= patched(OWN_EVENTS_PATCH));
  const seenEventIds = new Set<string>(carry?.recentEventIds);
  const state: VideoJobState = carry
    ? { ...carry.state }
    : {
        videoId: input.videoId,
        tenantId: input.tenantId,
        status: input.submit ? 'submitting' : 'waiting',
        providerJobId: input.providerJobId,
        eventsSeen: 0,
        duplicatesIgnored: 0,
        foreignEventsIgnored: 0,
        eventsRefused: 0,
        runsContinued: 0,
        polls: 0,
        updatedAt: new Date().toISOString(),
      };
  let integrity: { sizeBytes?: number; checksumSha256?: string } = carry?.integrity ?? {};
  const reconcileDueAt = carry?.reconcileDueAt ?? Date.now() + input.reconcileAfterMs;
  const maxEvents = input.maxEvents ?? DEFAULT_VIDEO_JOB_MAX_EVENTS;
  /** Signals this run took in (any kind): each is a history event, so this is what bounds a run. */
  let eventsThisRun = 0;
  /** Until the submit answers, this run's prediction is unknown: an event may be the previous run's. */
  let awaitingSubmit = input.submit && !carry;
  /** The run reached its bound on events: it continues as new at its next wait. */
  let compactDue = false;

  // The start options set both search attributes; only a change of phase is written again.
  let indexed: VideoStatus = indexedStatus(state.status);
  /** `index: false` for a phase whose workflow task ends before anyone could see the index say so. */
  const setStatus = (status: VideoStatus, { index = true } = {}) => {
    state.status = status;
    state.updatedAt = new Date().toISOString();
    if (index && (!lean || indexedStatus(status) !== indexed)) {
      indexed = indexedStatus(status);
      upsertSearchAttributes([{ key: VideoStatusAttribute, value: lean ? indexed : status }]);
    }
    setCurrentDetails(`**${status}**${state.error ? ` — ${state.error}` : ''}`);
  };

  /** Applies a provider status if it moves the job forward; anything else is ignored. */
  const advance = (update: Omit<ProviderSnapshot, 'providerJobId'> & Partial<ProviderEvent>) => {
    if (providerStatusRank(update.status) <= providerStatusRank(state.providerStatus)) return;
    state.providerStatus = update.status;
    if (update.downloadUrl) state.downloadUrl = update.downloadUrl;
    if (update.error) state.error = update.error;
    integrity = { sizeBytes: update.sizeBytes, checksumSha256: update.checksumSha256 };
    setStatus(update.status);
  };

  /** Another prediction's event (both known and different): counted, never applied. */
  const foreign = (event: ProviderEvent) =>
    event.providerJobId !== undefined &&
    state.providerJobId !== undefined &&
    event.providerJobId !== state.providerJobId &&
    guarded();

  /** Applies one new event, unless it is another prediction's. */
  const take = (event: ProviderEvent) => {
    if (foreign(event)) {
      state.foreignEventsIgnored += 1;
      metricMeter
        .createCounter(
          'floodgate_video_foreign_events',
          'events',
          'provider events of another prediction, ignored',
        )
        .add(1);
      return;
    }
    state.providerJobId ??= event.providerJobId;
    advance(event);
  };
  /** Events that came before the submit answered, taken (or not) once this run's prediction is known. */
  const early: ProviderEvent[] = [];

  setHandler(providerEventSignal, (event) => {
    eventsThisRun += 1;
    if (eventsThisRun >= maxEvents && !compactDue) compactDue = guarded();
    if (seenEventIds.has(event.eventId)) {
      state.duplicatesIgnored += 1;
      return;
    }
    seenEventIds.add(event.eventId);
    state.eventsSeen += 1;
    if (!awaitingSubmit || !guarded()) take(event);
    else if (early.length < maxEvents) early.push(event);
    else state.eventsRefused += 1;
  });
  setHandler(statusQuery, () => ({ ...state }));
  setHandler(inputQuery, () => input);

  if (!lean) {
    upsertSearchAttributes([{ key: TenantIdAttribute, value: input.tenantId }]);
    setStatus(state.status);
  } else {
    setCurrentDetails(`**${state.status}**`);
  }

  if (input.submit && !(carry && patched(NO_RESUBMIT_PATCH))) {
    const submitted = await orFail('submit to provider', () =>
      provider.submitVideoJob({
        videoId: input.videoId,
        tenantId: input.tenantId,
        input: input.providerInput ?? {},
      }),
    );
    state.providerJobId ??= submitted.providerJobId;
    if (state.providerStatus) advance(submitted);
    else setStatus('waiting');
    // Events that came in meanwhile are now checked against this run's own prediction.
    awaitingSubmit = false;
    for (const event of early.splice(0)) take(event);
  }

  const terminal = () => isTerminalProviderStatus(state.providerStatus);
  if (!carry) {
    if (input.reconcileAfterMs > 0) await terminalOrReconcileDue(input.reconcileAfterMs);
  } else if (!carry.reconciling && reconcileDueAt > Date.now()) {
    // A continued run waits only what is left of the first run's wait.
    await terminalOrReconcileDue(reconcileDueAt - Date.now());
  }
  if (!terminal()) await reconcile();

  if (state.providerStatus !== 'succeeded') {
    return fail(state.error ?? `provider reported ${state.providerStatus}`);
  }
  if (!state.downloadUrl) return fail('provider reported success without an output URL');

  const stored = await orFail('download', download, discardPartialDownload);
  state.storedPath = stored.storedPath;
  state.storedBytes = stored.bytes;

  if (input.requesterEmail) {
    setStatus('notifying');
    await orFail('notify requester', () =>
      mailActivities().sendVideoReadyEmail({
        to: input.requesterEmail!,
        videoId: input.videoId,
        storedPath: stored.storedPath,
      }),
    );
  }
  setStatus('completed');
  return {
    videoId: input.videoId,
    status: 'completed',
    storedPath: stored.storedPath,
    storedBytes: stored.bytes,
  };

  /**
   * Waits for a terminal event, at most `ms`. The new path leaves its timer running when the
   * event comes first instead of cancelling it: the run closes with it pending, which saves the
   * cancel command and its history event on nearly every job.
   */
  async function terminalOrReconcileDue(ms: number): Promise<void> {
    if (!lean) {
      await condition(terminal, ms);
      return;
    }
    const due = sleep(ms);
    // A cancellation of the run after the race is settled must not surface as an unhandled rejection.
    due.catch(() => undefined);
    let elapsed = false;
    due.then(
      () => (elapsed = true),
      () => undefined,
    );
    // compactDue is only ever set on a guarded run: an older run waits for exactly what it did.
    await Promise.race([condition(() => terminal() || compactDue), due]);
    if (!terminal() && !elapsed && compactDue) await continueWithState(false);
  }

  /**
   * A small video is fetched inside this workflow task. Its phase is not indexed as
   * `downloading` then: the task's commands reach the server only when the task ends. A video
   * the provider says is larger is an activity task at once; one of unknown size is tried
   * quickly first and handed over at its declared length (or at the bound), as is a small one
   * whose quick attempts all failed.
   */
  async function download() {
    const request = {
      videoId: input.videoId,
      url: state.downloadUrl!,
      expectedBytes: integrity.sizeBytes,
      checksumSha256: integrity.checksumSha256,
    };
    // Runs started before the setting take its default; no setting goes past the ceiling.
    const bound = Math.min(
      input.downloadInTaskMaxBytes ?? QUICK_DOWNLOAD_CEILING_BYTES,
      QUICK_DOWNLOAD_CEILING_BYTES,
    );
    const maybeSmall = bound > 0 && (integrity.sizeBytes ?? 0) <= bound;
    if (lean && maybeSmall && patched(LOCAL_DOWNLOAD_PATCH)) {
      setStatus('downloading', { index: false });
      try {
        const quick = await quickStorage.downloadSmallVideo({
          ...request,
          limitBytes: bound,
        });
        if (!('largerThan' in quick)) return quick;
      } catch (err) {
        // A local activity's failure comes as the activity's own error, not wrapped. A refusal
        // (not retryable) or a cancellation ends the job as an activity task's would.
        const final = isCancellation(err) || (err instanceof ApplicationFailure && err.nonRetryable);
        if (!(err instanceof TemporalFailure) || final) throw err;
        log.warn('the quick download failed; scheduling it as an activity task', {
          videoId: input.videoId,
          error: err.message,
        });
      }
    }
    setStatus('downloading');
    return storage.downloadVideo(request);
  }

  /**
   * Hands the job's state (not its history) to a fresh run of the same workflow id: the memo
   * and search attributes go along, the submit is not repeated, the reconcile time is kept.
   */
  async function continueWithState(reconciling: boolean): Promise<never> {
    state.runsContinued += 1;
    const next = makeContinueAsNewFunc<typeof videoJob>({
      memo: workflowInfo().memo,
      typedSearchAttributes: workflowInfo().typedSearchAttributes,
    });
    return next(input, {
      state: { ...state },
      integrity,
      recentEventIds: [...seenEventIds].slice(-CARRIED_EVENT_IDS),
      reconcileDueAt,
      reconciling,
    });
  }

  /** Polls the provider with backoff until a terminal status — unless a webhook brings one first. */
  async function reconcile(): Promise<void> {
    let delayMs: number = RECONCILE_POLL.firstDelayMs;
    while (!terminal() && state.polls < RECONCILE_POLL.maxPolls) {
      state.polls += 1;
      log.info('no terminal event yet; polling the provider', { videoId: input.videoId, poll: state.polls });
      const snapshot = await orFail('status poll', () =>
        provider.getVideoJobStatus({ providerJobId: state.providerJobId ?? input.videoId }),
      );
      advance(snapshot);
      if (terminal()) return;
      if ((await condition(() => terminal() || compactDue, delayMs)) && !terminal())
        await continueWithState(true);
      delayMs = Math.min(delayMs * 2, RECONCILE_POLL.maxDelayMs);
    }
    if (!terminal()) state.error = `no terminal status from the provider after ${state.polls} polls`;
  }

  /**
   * Runs a step; when its retries are exhausted or it fails for good, `onGiveUp` runs and the job
   * fails with the reason.
   */
  async function orFail<T>(step: string, run: () => Promise<T>, onGiveUp?: () => Promise<void>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      // An activity's failure, or a local activity's own error: the step's, not a bug here.
      if (!(err instanceof TemporalFailure)) throw err;
      await onGiveUp?.();
      return fail(`${step} failed: ${(err instanceof ActivityFailure && err.cause?.message) || err.message}`);
    }
  }

  /**
   * The download's kept bytes go with it, even when the job was cancelled mid-download; a
   * cleanup that fails too is logged, not the job's reason.
   */
  async function discardPartialDownload(): Promise<void> {
    if (!patched(DISCARD_PARTIAL_PATCH)) return;
    try {
      const dropped = await CancellationScope.nonCancellable(() =>
        storageCleanup.discardPartialVideo({ videoId: input.videoId }),
      );
      if (dropped > 0) log.info('dropped the partial download', { videoId: input.videoId, dropped });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('could not drop the partial download', { videoId: input.videoId, error: err.message });
    }
  }

  function fail(reason: string): never {
    state.error = reason;
    setStatus(state.providerStatus === 'canceled' ? 'canceled' : 'failed');
    throw ApplicationFailure.nonRetryable(reason, 'VideoFailed');
  }
}
