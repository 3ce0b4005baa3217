import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config.js';
import { EncryptionCodec } from './encryption-codec.js';

/**
 * The one data converter shared by the API's client and every worker, so both sides agree
 * on how payloads, failure messages and stack traces are encrypted in workflow history.
 */
export function createDataConverter(config: Config): DataConverter {
  const { keys, requireEncrypted } = config.payloadEncryption;
  const failureConverterPath = encodedFailureConverterPath();
  if (keys.length === 0) return { failureConverterPath };
  return { failureConverterPath, payloadCodecs: [new EncryptionCodec(keys, { requireEncrypted })] };
}

/** src/temporal/failure-converter.ts, or its compiled twin when running from dist; workflow bundles take it too. */
export function encodedFailureConverterPath(): string {
  const ts = fileURLToPath(new URL('./failure-converter.ts', import.meta.url));
  return existsSync(ts) ? ts : fileURLToPath(new URL('./failure-converter.js', import.meta.url));
}
