import { ApplicationFailure } from '@temporalio/common';

/** The stored bytes are not the provider's file: they are dropped and the retry downloads again. */
export function checksumMismatch(): ApplicationFailure {
  return ApplicationFailure.retryable('checksum mismatch; downloading again', 'ChecksumMismatch');
}
