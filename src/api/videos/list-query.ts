import { VIDEO_WORKFLOW_TYPE } from '../../shared/video-job.js';
import { BadRequestError } from '../errors.js';

/** Run outcomes as Temporal names them; `failed` is the dead-letter view. */
const EXECUTION_STATUSES: Record<string, string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  canceled: 'Canceled',
  terminated: 'Terminated',
  timed_out: 'TimedOut',
};
/** The phases the `VideoStatus` search attribute holds while a job runs (see `indexedStatus`). */
const VIDEO_STATUSES = new Set(['submitting', 'waiting', 'downloading', 'notifying']);
/** The provider's progress is in each job's state, not in the index: say where to look instead. */
const PROVIDER_PROGRESS = new Set(['starting', 'processing', 'succeeded']);

/**
 * The visibility query behind `GET /videos?status=&tenantId=`. Values are checked against
 * fixed sets or the id alphabet before they are put into the query, so nothing can inject.
 */
export function videoListQuery(filters: { status?: string; tenantId?: string }): string {
  const clauses = [`WorkflowType = "${VIDEO_WORKFLOW_TYPE}"`];
  if (filters.status) {
    const execution = EXECUTION_STATUSES[filters.status];
    if (execution) clauses.push(`ExecutionStatus = "${execution}"`);
    else if (VIDEO_STATUSES.has(filters.status)) clauses.push(`VideoStatus = "${filters.status}"`);
    else if (PROVIDER_PROGRESS.has(filters.status))
      throw new BadRequestError(
        `status "${filters.status}" is the provider's progress, which is not indexed: list status=waiting ` +
          "and read each job's providerStatus",
        'invalid_field',
      );
    else
      throw new BadRequestError(
        `status "${filters.status.slice(0, 40)}" is not a known status`,
        'invalid_field',
      );
  }
  if (filters.tenantId) {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(filters.tenantId))
      throw new BadRequestError('tenantId is not a valid id', 'invalid_field');
    clauses.push(`TenantId = "${filters.tenantId}"`);
  }
  return clauses.join(' AND ');
}
