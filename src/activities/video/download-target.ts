import { ApplicationFailure } from '@temporalio/common';
import { isValidVideoId } from '../../shared/video-job.js';

/** Which URLs a download may fetch; every redirect hop is held to the same rules. */
export interface UrlRules {
  allowedHosts: readonly string[];
  allowedPorts: readonly number[];
}

/**
 * Checks a download request before any byte moves: the URL comes from a webhook, so only
 * http(s) URLs on an allow-listed host and port are fetched, and the video id must be safe as a
 * file name. The address the host resolves to is checked when connecting (download-address.ts).
 */
export function checkDownloadTarget(videoId: string, url: string, rules: UrlRules): URL {
  if (!isValidVideoId(videoId)) {
    throw ApplicationFailure.nonRetryable(
      `video id "${String(videoId).slice(0, 40)}" is not valid`,
      'InvalidVideoId',
    );
  }
  return checkDownloadUrl(url, rules);
}

/** The scheme, credentials, host and port checks, for the first URL and each redirect. */
export function checkDownloadUrl(url: string, rules: UrlRules): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw notAllowed('download URL is not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw notAllowed(`download URL scheme ${parsed.protocol} is not allowed`);
  }
  if (parsed.username || parsed.password) throw notAllowed('download URL must not carry credentials');
  const host = bareHost(parsed);
  if (!rules.allowedHosts.some((allowed) => allowed.toLowerCase() === host)) {
    throw notAllowed(`download host ${host} is not on the allow-list`);
  }
  const port = portOf(parsed);
  if (!rules.allowedPorts.includes(port)) {
    throw notAllowed(`download port ${port} is not allowed (allowed: ${rules.allowedPorts.join(', ')})`);
  }
  return parsed;
}

/** The host name without IPv6 brackets, lower-cased. */
export function bareHost(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
}

/** The port a URL connects to, the scheme's default when it names none. */
export function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** A permanent refusal: asking again would get the same answer. */
export function notAllowed(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'DownloadNotAllowed');
}
