import { ApplicationFailure } from '@temporalio/common';

/**
 * Classifies an HTTP answer where it happens: a 4xx other than 408/429 will not get better
 * by asking again (non-retryable); 408, 429 and 5xx are transient (retryable with the
 * workflow's backoff). Network errors are plain throws and so retryable too.
 */
export function httpFailure(what: string, status: number, detail = ''): ApplicationFailure {
  const message = `${what}: HTTP ${status}${detail ? ` ${detail}` : ''}`;
  if (isPermanentHttpStatus(status)) return ApplicationFailure.nonRetryable(message, 'HttpClientError');
  return ApplicationFailure.retryable(message, 'HttpTransientError');
}

export function isPermanentHttpStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}
