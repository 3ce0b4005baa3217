import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import type { createDownloadActivities } from '../../src/activities/video/download-activities.js';
import type { createProviderActivities } from '../../src/activities/video/provider-activities.js';
import { TenantIdAttribute, VideoStatusAttribute } from '../../src/shared/search-attributes.js';
import { providerEventSignal, VIDEO_WORKFLOW_TYPE, videoWorkflowId } from '../../src/shared/video-job.js';
import { videoJob } from '../../src/workflows/video-job.js';
import { projectWorkflowBundle } from '../support/workflow-bundle.js';
import {
  createVideoTestEnv,
  jobInput,
  providerEvent,
  videoWorker,
  withQuickDownload,
} from './support/video-job-harness.js';

type VideoActivities = ReturnType<typeof createProviderActivities> &
  ReturnType<typeof createDownloadActivities>;
const { EventType } = temporal.api.enums.v1;
type History = temporal.api.history.v1.IHistory;

const activities = withQuickDownload<Omit<VideoActivities, 'downloadSmallVideo'>>({
  submitVideoJob: async () => ({ providerJobId: 'pred-1', status: 'starting' }),
  getVideoJobStatus: async () => ({ providerJobId: 'pred-1', status: 'processing' }),
  downloadVideo: async (req) => ({ storedPath: `/videos/${req.videoId}.mp4`, bytes: 3, sha256: 'abc' }),
  discardPartialVideo: async () => 0,
});

/**
 * A run of `adoptedJobHistory()` recorded (protobuf bytes) from the workflow code as it was
 * before the engine-cost cuts: seven upserts, a cancelled reconcile timer.
 */
const BEFORE_CUTS = new URL('./histories/video-job-adopted-before-engine-cuts.bin', import.meta.url);

/**
 * An adopted job recorded from the workflow code before the own-prediction guard: it took a
 * `succeeded` event of another prediction and downloaded that prediction's output.
 */
const BEFORE_GUARD = new URL('./histories/video-job-foreign-prediction-before-guard.bin', import.meta.url);

/**
 * An adopted job recorded from the workflow code before a download that gave up dropped its kept
 * bytes: the download failed for good and the job failed right after it.
 */
const BEFORE_DISCARD = new URL('./histories/video-job-download-gave-up-before-discard.bin', import.meta.url);

/**
 * The storm's adopted job recorded from the workflow code before a small video was downloaded
 * inside the workflow task: its download is an activity task, and a fourth workflow task.
 */
const BEFORE_LOCAL_DOWNLOAD = new URL(
  './histories/video-job-downloaded-as-activity-task.bin',
  import.meta.url,
);

/** Replays a recorded history with today's workflow code; a nondeterminism error fails the test. */
async function replay(recorded: URL, workflowId: string): Promise<void> {
  const history = temporal.api.history.v1.History.decode(readFileSync(recorded));
  await Worker.runReplayHistory(
    { workflowBundle: await projectWorkflowBundle(), replayName: VIDEO_WORKFLOW_TYPE },
    history,
    workflowId,
  );
}

function eventNames(history: History): string {
  return (history.events ?? []).map((e) => EventType[e.eventType ?? 0]?.replace('EVENT_TYPE_', '')).join(' ');
}

function count(history: History, type: temporal.api.enums.v1.EventType): number {
  return (history.events ?? []).filter((e) => e.eventType === type).length;
}

/**
 * What one video job costs the engine, counted in its own history: every event is a write to
 * the history shard, every search-attribute upsert a write to visibility, every workflow task a
 * trip through matching and a worker. The adopted job here is the storm's job: three webhooks
 * (starting, processing, succeeded), one download, no requester mail.
 */
describe('VideoJob workflow: engine work per job', function () {
  let env: TestWorkflowEnvironment;
  before(async function () {
    env = await createVideoTestEnv();
  });
  after(async () => {
    await env?.teardown();
  });

  async function adoptedJobHistory(): Promise<History> {
    const worker = await videoWorker(env, activities);
    const input = jobInput();
    const workflowId = videoWorkflowId(input.videoId);
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.signalWithStart(videoJob, {
        workflowId,
        taskQueue: worker.options.taskQueue,
        args: [input],
        signal: providerEventSignal,
        signalArgs: [providerEvent(input.videoId, { status: 'starting' })],
        typedSearchAttributes: [
          { key: TenantIdAttribute, value: input.tenantId },
          { key: VideoStatusAttribute, value: 'waiting' },
        ],
      });
      await handle.signal(providerEventSignal, providerEvent(input.videoId, { status: 'processing' }));
      await handle.signal(
        providerEventSignal,
        providerEvent(input.videoId, { status: 'succeeded', downloadUrl: 'http://127.0.0.1/a.mp4' }),
      );
      await handle.result();
    });
    return env.client.workflow.getHandle(workflowId).fetchHistory();
  }

  it('an adopted job writes visibility at most twice beyond its start and close, and cancels no timer', async () => {
    const history = await adoptedJobHistory();
    const upserts = count(history, EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES);
    // completed, and one per patch marker (the engine cuts', the quick download's).
    const events = eventNames(history);
    assert.ok(upserts <= 3, `${upserts} search-attribute upserts: ${events}`);
    assert.equal(count(history, EventType.EVENT_TYPE_TIMER_CANCELED), 0, `a timer was cancelled: ${events}`);
  });

  it('an adopted job of a small video takes one workflow task per webhook and no activity task', async () => {
    const history = await adoptedJobHistory();
    const events = eventNames(history);
    assert.equal(
      count(history, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
      0,
      `an activity task: ${events}`,
    );
    assert.ok(
      count(history, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) <= 3,
      `more than one workflow task per webhook: ${events}`,
    );
    // The start; three signals, each in a workflow task of three events (two if they come
    // together); the timer; two patch markers with their upserts; the download's marker; the
    // `completed` upsert; the close.
    assert.ok((history.events ?? []).length <= 21, `${(history.events ?? []).length} events: ${events}`);
  });

  it('replays a job that downloaded as an activity task, recorded before the quick download', async () => {
    await replay(BEFORE_LOCAL_DOWNLOAD, 'video-before-local-download');
  });

  it('replays a run recorded before the cuts (running jobs survive the upgrade)', async () => {
    await replay(BEFORE_CUTS, 'video-before-cuts');
  });

  it('replays a run recorded before the own-prediction guard (it took the foreign event then, and still does)', async () => {
    await replay(BEFORE_GUARD, 'video-before-guard');
  });

  it('replays a job whose download gave up before the partial download was dropped (it fails as it did)', async () => {
    await replay(BEFORE_DISCARD, 'video-before-discard');
  });
});
