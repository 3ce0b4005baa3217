import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../../src/shared/search-attributes.js';
import type { ProviderEvent, VideoJobInput } from '../../../src/shared/video-job.js';
import { createTimeSkippingEnv } from '../../support/time-skipping.js';
import { projectWorkflowBundle } from '../../support/workflow-bundle.js';

/** A time-skipping environment that knows Floodgate's search attributes, as the dev server does. */
export async function createVideoTestEnv(): Promise<TestWorkflowEnvironment> {
  const env = await createTimeSkippingEnv();
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
