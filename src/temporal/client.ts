import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { Config } from '../config.js';
import { createDataConverter } from './data-converter.js';

/** The address to use: TEMPORAL_ADDRESS, else the local dev server the stack starts. */
export function temporalAddress(config: Config): string {
  return config.temporal.address ?? `127.0.0.1:${config.temporal.devServerPort}`;
}

/** The urgent lane's server: URGENT_TEMPORAL_ADDRESS, else the one every lane shares. */
export function urgentTemporalAddress(config: Config): string {
  return config.temporal.urgentAddress ?? temporalAddress(config);
}

/**
 * A client for request paths that answer someone waiting (webhook acks, API calls, probes).
 * The SDK's default retries an unreachable server for ~20 s in the background; here a few
 * quick retries (about 1 s in all) ride out a blip, and then the caller gets its 503 and the
 * sender retries — no call keeps retrying after its answer was given.
 */
export async function connectClient(config: Config, address = temporalAddress(config)): Promise<Client> {
  const connection = await Connection.connect({
    address,
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 4 }))],
  });
  return new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: createDataConverter(config),
  });
}
