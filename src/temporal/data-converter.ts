import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config.js';
import { EncryptionCodec } from './encryption-codec.js';

/**
 * The one data converter shared by the API's client and every worker, so both sides agree
 * on how payloads are encrypted in workflow history.
 */
export function createDataConverter(config: Config): DataConverter {
  if (config.payloadEncryption.keys.length === 0) return {};
  return { payloadCodecs: [new EncryptionCodec(config.payloadEncryption.keys)] };
}
