import type { Client } from '@temporalio/client';
import { UnprocessableEntityError } from '../errors.js';
import { REQUEST_FINGERPRINT_MEMO } from './idempotency-key.js';

/**
 * A keyed `POST /videos` whose workflow id is already taken: the first request's fingerprint,
 * read back from the run's memo (decoded by the client's codec), says whether this is the same
 * request again (the caller replays the first answer) or another body under a used key (422).
 */
export async function requireSameKeyedRequest(
  client: Client,
  workflowId: string,
  fingerprint: string,
): Promise<void> {
  const { memo } = await client.workflow.getHandle(workflowId).describe();
  if (memo?.[REQUEST_FINGERPRINT_MEMO] !== fingerprint) {
    throw new UnprocessableEntityError(
      'Idempotency-Key was already used with a different request body',
      'idempotency_key_reused',
    );
  }
}
