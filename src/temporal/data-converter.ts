import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config.js';

/**
 * The one data converter shared by the API's client and every worker, so both sides agree
 * on how payloads are encoded (and, once configured, encrypted) in workflow history.
 */
export function createDataConverter(_config: Config): DataConverter {
  return {};
}
