import type { Client } from '@temporalio/client';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { ApiMetrics } from './metrics.js';

/** Everything the HTTP app needs, built by server.ts (or by a test) and passed in. */
export interface ApiDeps {
  config: Config;
  client: Client;
  /**
   * The urgent lane's server, when it has one of its own (URGENT_TEMPORAL_ADDRESS): password
   * resets start and are redeemed there. Unset, they share `client`.
   */
  urgentClient?: Client;
  log: Logger;
  metrics: ApiMetrics;
}
