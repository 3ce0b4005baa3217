import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

/** Builds the urgent lane's activities (mail) from their real dependencies. */
export function buildUrgentActivities(
  _config: Config,
  _log: Logger,
): Record<string, (...args: never[]) => unknown> {
  return {};
}
