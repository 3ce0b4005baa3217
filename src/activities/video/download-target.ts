import { ApplicationFailure } from '@temporalio/common';
import { isValidVideoId } from '../../shared/video-job.js';

/**
 * Checks a download request before any byte moves: the URL comes from a webhook, so only
 * http(s) URLs on an allow-listed host are fetched, and the video id must be safe as a file name.
 */
export function checkDownloadTarget(videoId: string, url: string, allowedHosts: readonly string[]): URL {
  if (!isValidVideoId(videoId)) {
    throw ApplicationFailure.nonRetryable(
      `video id "${String(videoId).slice(0, 40)}" is not valid`,
      'InvalidVideoId',
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw ApplicationFailure.nonRetryable('download URL is not a valid URL', 'DownloadNotAllowed');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw ApplicationFailure.nonRetryable(
      `download URL scheme ${parsed.protocol} is not allowed`,
      'DownloadNotAllowed',
    );
  }
  if (parsed.username || parsed.password) {
    throw ApplicationFailure.nonRetryable('download URL must not carry credentials', 'DownloadNotAllowed');
  }
  const host = parsed.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (!allowedHosts.some((allowed) => allowed.toLowerCase() === host)) {
    throw ApplicationFailure.nonRetryable(
      `download host ${host} is not on the allow-list`,
      'DownloadNotAllowed',
    );
  }
  return parsed;
}
