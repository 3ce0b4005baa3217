import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { Config } from '../config.js';
import { connectionOptions, temporalAddress } from './connection-options.js';
import { createDataConverter } from './data-converter.js';

export { temporalAddress, urgentTemporalAddress } from './connection-options.js';

/**
 * A client for request paths that answer someone waiting (webhook acks, API calls, probes).
 * The SDK's default retries an unreachable server for ~20 s in the background; here a few
 * quick retries (about 1 s in all) ride out a blip, and then the caller gets its 503 and the
 * sender retries — no call keeps retrying after its answer was given.
 */
export async function connectClient(config: Config, address = temporalAddress(config)): Promise<Client> {
  const connection = await Connection.connect({
    ...connectionOptions(config, address),
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 4 }))],
  });
  return new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: createDataConverter(config),
  });
}
