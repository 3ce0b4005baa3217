import {
  Client,
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type GrpcRetryOptions,
} from '@temporalio/client';
import type { Config } from '../config.js';
import { connectionOptions, temporalAddress } from './connection-options.js';
import { createDataConverter } from './data-converter.js';
import { RESOURCE_EXHAUSTED } from './over-budget.js';

export { temporalAddress, urgentTemporalAddress } from './connection-options.js';
import { urgentTemporalAddress } from './connection-options.js';

/** Where a lane's work lives in Temporal: a server and a namespace on it. */
export interface TemporalTarget {
  address: string;
  namespace: string;
}

/** The urgent lane's server and namespace (each defaults to the one every lane shares). */
export function urgentTemporalTarget(config: Config): TemporalTarget {
  return {
    address: urgentTemporalAddress(config),
    namespace: config.temporal.urgentNamespace ?? config.temporal.namespace,
  };
}

/** Whether the urgent lane runs apart: on a server or in a namespace of its own. */
export function urgentLaneApart(config: Config): boolean {
  const urgent = urgentTemporalTarget(config);
  return urgent.address !== temporalAddress(config) || urgent.namespace !== config.temporal.namespace;
}

/**
 * The SDK's retry rule for request paths, less RESOURCE_EXHAUSTED: that is the server's
 * per-namespace budget saying no, and the fastest honest answer is the caller's 503.
 */
function requestPathRetryOptions(): GrpcRetryOptions {
  const defaults = defaultGrpcRetryOptions({ maxAttempts: 4 });
  return {
    ...defaults,
    retryableDecider: (attempt, status) =>
      status.code !== RESOURCE_EXHAUSTED && defaults.retryableDecider(attempt, status),
  };
}

/**
 * A client for request paths that answer someone waiting (webhook acks, API calls, probes).
 * The SDK's default retries an unreachable server for ~20 s in the background; here a few
 * quick retries (about 1 s in all) ride out a blip, and then the caller gets its 503 and the
 * sender retries — no call keeps retrying after its answer was given.
 */
export async function connectClient(
  config: Config,
  address = temporalAddress(config),
  namespace = config.temporal.namespace,
): Promise<Client> {
  const connection = await Connection.connect({
    ...connectionOptions(config, address),
    interceptors: [makeGrpcRetryInterceptor(requestPathRetryOptions())],
  });
  return new Client({
    connection,
    namespace,
    dataConverter: createDataConverter(config),
  });
}

/**
 * The client for the urgent lane, given the shared one: the same client when the lane shares
 * server and namespace, a client on the same connection for a namespace of its own, a new
 * connection for a server of its own.
 */
export async function connectUrgentClient(config: Config, shared: Client): Promise<Client> {
  const urgent = urgentTemporalTarget(config);
  if (!urgentLaneApart(config)) return shared;
  if (urgent.address === temporalAddress(config)) {
    return new Client({
      connection: shared.connection,
      namespace: urgent.namespace,
      dataConverter: createDataConverter(config),
    });
  }
  return connectClient(config, urgent.address, urgent.namespace);
}
