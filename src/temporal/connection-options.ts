import type { Config } from '../config.js';

/** Options both Connection.connect (client) and NativeConnection.connect (worker) take. */
export interface TemporalConnectionOptions {
  address: string;
  apiKey?: string;
  tls?: Config['temporal']['connection']['tls'];
  metadata?: Config['temporal']['connection']['metadata'];
  connectTimeout?: number;
}

/** The address to use: TEMPORAL_ADDRESS or the profile's, else the local dev server the stack starts. */
export function temporalAddress(config: Config): string {
  return config.temporal.address ?? `127.0.0.1:${config.temporal.devServerPort}`;
}

/** The urgent lane's server: URGENT_TEMPORAL_ADDRESS, else the one every lane shares. */
export function urgentTemporalAddress(config: Config): string {
  return config.temporal.urgentAddress ?? temporalAddress(config);
}

/**
 * How every Floodgate process (API, lane workers, autoscaler, helper scripts) connects to
 * Temporal: the address Floodgate chose (a lane's own server, or the dev server when none is
 * set) with the API key, TLS and gRPC metadata of the envconfig profile (connection-profile.ts).
 * The urgent lane's own server takes the same credentials.
 */
export function connectionOptions(
  config: Config,
  address = temporalAddress(config),
): TemporalConnectionOptions {
  const { apiKey, tls, metadata } = config.temporal.connection;
  return { address, apiKey, tls, metadata };
}

/** Whether connections carry an API key or TLS: the stack's own local servers take neither. */
export function hasCredentials(config: Config): boolean {
  const { apiKey, tls } = config.temporal.connection;
  return Boolean(apiKey || tls);
}
