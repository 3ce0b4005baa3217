import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import { TenantIdAttribute, VideoStatusAttribute } from '../../shared/search-attributes.js';
import {
  inputQuery,
  isValidVideoId,
  statusQuery,
  VIDEO_WORKFLOW_PREFIX,
  VIDEO_WORKFLOW_TYPE,
  videoWorkflowId,
  type VideoJobInput,
  type VideoJobState,
} from '../../shared/video-job.js';
import type { videoJob } from '../../workflows/video-job.js';
import type { ApiDeps } from '../deps.js';
import { BadRequestError, ConflictError, NotFoundError } from '../errors.js';
import { singleHeader } from '../raw-headers.js';
import { requireApiKey } from '../middleware/api-key.js';
import { jsonBody } from '../middleware/json-body.js';
import {
  idempotentVideoId,
  parseIdempotencyKey,
  REQUEST_FINGERPRINT_MEMO,
  requestFingerprint,
} from '../videos/idempotency-key.js';
import { requireSameKeyedRequest } from '../videos/keyed-replay.js';
import { videoListQuery } from '../videos/list-query.js';
import { parseVideoRequest } from '../videos/video-request.js';
import { videoStartOptions } from '../videos/video-start-options.js';
import { parseWebhookUrlRequest } from '../videos/webhook-url-request.js';
import { videoWebhookUrl } from '../webhooks/video-webhook-url.js';

const LIST_LIMIT = { default: 50, max: 200 } as const;
/** Execution statuses a retry may follow (ALLOW_DUPLICATE_FAILED_ONLY admits exactly these). */
const RETRYABLE_RUN_STATUSES = new Set(['FAILED', 'TERMINATED', 'TIMED_OUT', 'CANCELLED']);

/**
 * The product backend's video API: request a video, read one job's state or a filtered list
 * straight from Temporal (no side database), and re-run a failed job. A request with an
 * `Idempotency-Key` gets a video id derived from the key, so the workflow id policy, not a
 * table, makes a repeat start nothing; the run's memo keeps the request's fingerprint.
 */
export function videoRoutes(deps: ApiDeps): Router {
  const { client, config } = deps;
  const router = new Router({ prefix: '/videos' });
  router.use(requireApiKey({ keys: config.api.apiKeys }));
  router.use(jsonBody({ limitBytes: config.webhooks.bodyLimitBytes }));

  router.post('/', async (ctx) => {
    const key = parseIdempotencyKey(singleHeader(ctx.req, 'Idempotency-Key'));
    const request = parseVideoRequest(ctx.request.body);
    const { idKey } = config.passwordReset;
    const videoId = key === undefined ? randomUUID() : idempotentVideoId(key, idKey);
    const fingerprint = key === undefined ? undefined : requestFingerprint(request, idKey);
    const input: VideoJobInput = {
      videoId,
      submit: true,
      reconcileAfterMs: config.provider.reconcileAfterMs,
      ...request,
    };
    const options = videoStartOptions(config, input, 'requested via API');
    try {
      await client.workflow.start<typeof videoJob>(VIDEO_WORKFLOW_TYPE, {
        ...options,
        // Also what makes a key idempotent: its id is derived from the key, so a repeat cannot start.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        ...(fingerprint && { memo: { [REQUEST_FINGERPRINT_MEMO]: fingerprint } }),
      });
      deps.log.info(
        { videoId, workflowId: options.workflowId, tenantId: request.tenantId },
        'video job started',
      );
    } catch (err) {
      if (!(fingerprint && err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      await requireSameKeyedRequest(client, options.workflowId, fingerprint);
      ctx.set('Idempotent-Replayed', 'true');
    }
    ctx.status = 202;
    ctx.body = { videoId, workflowId: options.workflowId };
  });

  // A prediction created by the product backend itself reports to this URL; its first event adopts the job.
  router.post('/webhook-url', (ctx) => {
    const { videoId, tenantId } = parseWebhookUrlRequest(ctx.request.body);
    const { publicBaseUrl } = config.api;
    const webhookUrl = videoWebhookUrl(publicBaseUrl, config.webhooks.urlTokenKeys, videoId, tenantId);
    ctx.body = { videoId, tenantId, workflowId: videoWorkflowId(videoId), webhookUrl };
  });

  router.get('/', async (ctx) => {
    const limit = listLimit(single(ctx.query.limit));
    const query = videoListQuery({ status: single(ctx.query.status), tenantId: single(ctx.query.tenantId) });
    const videos = [];
    for await (const run of client.workflow.list({ query, pageSize: limit })) {
      videos.push(summary(run));
      if (videos.length >= limit) break;
    }
    ctx.body = { videos };
  });

  router.get('/:id', async (ctx) => {
    const handle = handleFor(ctx.params.id);
    const description = await describeOr404(handle);
    let state: VideoJobState | undefined;
    try {
      state = await client.withDeadline(Date.now() + 3_000, () => handle.query(statusQuery));
    } catch (err) {
      // No worker to answer (e.g. the video lane is down): the search attributes still say where it is.
      deps.log.warn(
        { workflowId: handle.workflowId, err: String(err) },
        'status query failed; answering from visibility',
      );
    }
    ctx.body = { ...summary(description), ...(state && { state }) };
  });

  router.post('/:id/retry', async (ctx) => {
    const handle = handleFor(ctx.params.id);
    const description = await describeOr404(handle);
    if (!RETRYABLE_RUN_STATUSES.has(description.status.name)) {
      throw new ConflictError(
        `video job is ${description.status.name.toLowerCase()}, not failed`,
        'not_failed',
      );
    }
    const [previous, last] = await Promise.all([handle.query(inputQuery), handle.query(statusQuery)]);
    // After the provider succeeded, only our side failed: ask the provider again at once instead of resubmitting.
    const input: VideoJobInput =
      last.providerStatus === 'succeeded'
        ? { ...previous, submit: false, providerJobId: last.providerJobId, reconcileAfterMs: 0 }
        : { ...previous, reconcileAfterMs: config.provider.reconcileAfterMs };
    try {
      const next = await client.workflow.start<typeof videoJob>(VIDEO_WORKFLOW_TYPE, {
        ...videoStartOptions(config, input, 'retry of a failed run'),
        // A keyed job keeps its request fingerprint, so the key still replays after a retry.
        ...(description.memo && { memo: description.memo }),
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      });
      deps.log.info(
        { workflowId: next.workflowId, runId: next.firstExecutionRunId },
        'failed video job retried',
      );
      ctx.status = 202;
      ctx.body = { videoId: input.videoId, workflowId: next.workflowId, runId: next.firstExecutionRunId };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError)
        throw new ConflictError('video job is already running again', 'not_failed');
      throw err;
    }
  });

  function handleFor(id: string | undefined): WorkflowHandle<typeof videoJob> {
    if (!isValidVideoId(id)) throw new BadRequestError('video id is not valid', 'invalid_field');
    return client.workflow.getHandle<typeof videoJob>(videoWorkflowId(id));
  }

  return router;
}

async function describeOr404(handle: WorkflowHandle): Promise<WorkflowExecutionDescription> {
  try {
    return await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new NotFoundError('no such video');
    throw err;
  }
}

function summary(run: Omit<WorkflowExecutionDescription, 'raw' | 'staticSummary' | 'staticDetails'>) {
  return {
    videoId: run.workflowId.slice(VIDEO_WORKFLOW_PREFIX.length),
    workflowId: run.workflowId,
    runId: run.runId,
    runStatus: run.status.name,
    videoStatus: run.typedSearchAttributes.get(VideoStatusAttribute),
    tenantId: run.typedSearchAttributes.get(TenantIdAttribute),
    startTime: run.startTime.toISOString(),
    closeTime: run.closeTime?.toISOString(),
  };
}

/** `?limit=`: a whole number from 1 to the maximum; anything else is a 400, not a guess. */
function listLimit(value: string | undefined): number {
  if (value === undefined) return LIST_LIMIT.default;
  const n = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= LIST_LIMIT.max))
    throw new BadRequestError(`limit must be a whole number from 1 to ${LIST_LIMIT.max}`, 'invalid_field');
  return n;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
