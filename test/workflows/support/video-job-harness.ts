import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import type { createDownloadActivities } from '../../../src/activities/video/download-activities.js';
import type { createProviderActivities } from '../../../src/activities/video/provider-activities.js';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../../src/shared/search-attributes.js';
import type { ProviderEvent, VideoJobInput } from '../../../src/shared/video-job.js';
import { createLocalDevEnv } from '../../support/local-dev-env.js';
import { createTimeSkippingEnv } from '../../support/time-skipping.js';
import { projectWorkflowBundle } from '../../support/workflow-bundle.js';

/** A time-skipping environment that knows Floodgate's search attributes, as the dev server does. */
export async function createVideoTestEnv(): Promise<TestWorkflowEnvironment> {
  return withSearchAttributes(await createTimeSkippingEnv());
}

/** A real dev server (in memory) that knows Floodgate's search attributes: for runs that continue as new. */
export async function createVideoDevEnv(): Promise<TestWorkflowEnvironment> {
  return withSearchAttributes(await createLocalDevEnv());
}

async function withSearchAttributes(env: TestWorkflowEnvironment): Promise<TestWorkflowEnvironment> {
  const { INDEXED_VALUE_TYPE_KEYWORD } = temporal.api.enums.v1.IndexedValueType;
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(
      CUSTOM_SEARCH_ATTRIBUTES.map((a) => [a.name, INDEXED_VALUE_TYPE_KEYWORD]),
    ),
  });
  return env;
}

/** A video job's input with test defaults: adopted, ten minutes before reconciliation. */
export function jobInput(overrides: Partial<VideoJobInput> = {}): VideoJobInput {
  return {
    videoId: `v${randomUUID().replace(/-/g, '')}`,
    tenantId: 'acme',
    plan: 'paid',
    submit: false,
    reconcileAfterMs: 10 * 60_000,
    ...overrides,
  };
}

let eventCounter = 0;

/** A provider event for `videoId`; a fresh event id unless one is given. */
export function providerEvent(videoId: string, overrides: Partial<ProviderEvent> = {}): ProviderEvent {
  eventCounter += 1;
  return {
    eventId: `evt-${eventCounter}-${randomUUID()}`,
    videoId,
    status: 'processing',
    occurredAt: new Date().toISOString(),
    ...overrides,
  };
}

/** A worker on a fresh task queue of the test environment, running the project's workflow bundle. */
export async function videoWorker(
  env: TestWorkflowEnvironment,
  activities: object,
  overrides: Partial<WorkerOptions> = {},
): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    taskQueue: `video-test-${randomUUID()}`,
    workflowBundle: await projectWorkflowBundle(),
    activities,
    ...overrides,
  });
}

type VideoActivities = ReturnType<typeof createProviderActivities> &
  ReturnType<typeof createDownloadActivities>;

/** Fakes typed against the real activities; each records its calls. */
export function fakeVideoActivities(overrides: Partial<VideoActivities> = {}) {
  const calls = { submit: 0, status: 0, download: [] as string[], discarded: [] as string[] };
  const activities: VideoActivities = {
    async submitVideoJob() {
      calls.submit += 1;
      return { providerJobId: 'pred-1', status: 'starting' };
    },
    async getVideoJobStatus() {
      calls.status += 1;
      return { providerJobId: 'pred-1', status: 'processing' };
    },
    async downloadVideo(req) {
      calls.download.push(req.url);
      return { storedPath: `/videos/${req.videoId}.mp4`, bytes: 3, sha256: 'abc' };
    },
    async discardPartialVideo(req) {
      calls.discarded.push(req.videoId);
      return 0;
    },
    ...withQuickDownload(overrides),
  };
  return { activities, calls };
}

/**
 * A fake's quick download (a small video, inside the workflow task) is its `downloadVideo`, so
 * one fake serves both paths; a fake may still give its own.
 */
export function withQuickDownload<T extends Partial<VideoActivities>>(fakes: T) {
  return {
    ...fakes,
    downloadSmallVideo:
      fakes.downloadSmallVideo ??
      (async (req: Parameters<VideoActivities['downloadSmallVideo']>[0]) => {
        if (!fakes.downloadVideo) throw new Error('this fake downloads nothing');
        return fakes.downloadVideo(req);
      }),
  };
}
