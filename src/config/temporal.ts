import { z } from 'zod';
import { loadConnectionProfile, type ConnectionProfile } from '../temporal/connection-profile.js';
import { ConfigError } from './config-error.js';
import { args, bool, port, type Parsed } from './setting-types.js';

/** The connection to Temporal, and the dev servers `npm start` runs. */
export const temporalSettings = {
  // Temporal. The connection settings are @temporalio/envconfig's (src/temporal/connection-profile.ts):
  // TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE win over the profile file's; unset both, and `npm start`
  // runs a dev server.
  TEMPORAL_ADDRESS: z
    .string()
    .optional()
    .meta({ description: 'use this cluster; unset: `npm start` runs a dev server' }),
  TEMPORAL_NAMESPACE: z.string().default('default').meta({ description: 'Temporal namespace' }),
  /** A TOML file of connection profiles, as the Temporal CLI writes it. */
  TEMPORAL_CONFIG_FILE: z.string().optional().meta({
    description:
      "a TOML file of connection profiles (the Temporal CLI's format); see [Connecting to Temporal Cloud or a secured cluster](deploying.md#connecting-to-temporal-cloud-or-a-secured-cluster)",
  }),
  TEMPORAL_PROFILE: z
    .string()
    .optional()
    .meta({ description: 'the profile to use from `TEMPORAL_CONFIG_FILE`', shown: '`default`' }),
  TEMPORAL_API_KEY: z.string().optional().meta({ description: 'API key (turns TLS on)' }),
  TEMPORAL_TLS: bool.optional().meta({ description: 'TLS on or off for the connection to Temporal' }),
  TEMPORAL_TLS_CLIENT_CERT_PATH: z
    .string()
    .optional()
    .meta({ description: 'mTLS client certificate file (PEM)' }),
  TEMPORAL_TLS_CLIENT_KEY_PATH: z.string().optional().meta({ description: 'mTLS client key file (PEM)' }),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: z
    .string()
    .optional()
    .meta({ description: "CA certificate file (PEM) the server's certificate is checked against" }),
  TEMPORAL_TLS_SERVER_NAME: z
    .string()
    .optional()
    .meta({ description: "name expected in the server's certificate" }),
  TEMPORAL_PORT: port
    .default(7233)
    .meta({ description: 'dev server or cluster profile port (Temporal frontend, gRPC)' }),
  TEMPORAL_UI_PORT: port
    .default(8233)
    .meta({ description: 'dev server or cluster profile port (Temporal Web UI)' }),
  /** Extra `temporal server start-dev` arguments for the local stack, space-separated. */
  TEMPORAL_DEV_SERVER_ARGS: args.meta({
    description:
      'extra `temporal server start-dev` arguments for `npm start`, space-separated; a `--dynamic-config-value` for a key Floodgate sets replaces its value',
  }),
  /**
   * The urgent lane's own Temporal server (password resets start there); unset, it shares the
   * server at TEMPORAL_ADDRESS. `npm start` with STACK_URGENT_SERVER=own sets it.
   */
  URGENT_TEMPORAL_ADDRESS: z.string().optional().meta({
    description:
      "the urgent lane's own Temporal server: password resets start there, and the urgent worker serves both servers (the video jobs' mail still comes through the shared one); unset: one server for every lane",
  }),
  URGENT_TEMPORAL_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,255}$/, 'a Temporal namespace name (letters, digits, . _ -)')
    .optional()
    .meta({
      description:
        "the urgent lane's own namespace: password resets start there, and the server schedules and limits it apart from the video jobs'; the urgent worker serves both namespaces. `start:cluster` sets `floodgate-urgent`; unset: one namespace for every lane",
    }),
  URGENT_TEMPORAL_PORT: port
    .default(7234)
    .meta({ description: "frontend port of the urgent lane's own server when `STACK_URGENT_SERVER=own`" }),
  URGENT_TEMPORAL_UI_PORT: port
    .default(8234)
    .meta({ description: "Web UI port of the urgent lane's own server when `STACK_URGENT_SERVER=own`" }),
  /** Extra `temporal server start-dev` arguments for the urgent lane's dev server, space-separated. */
  URGENT_TEMPORAL_DEV_SERVER_ARGS: args.meta({
    description:
      "extra `temporal server start-dev` arguments for the urgent lane's dev server, like `TEMPORAL_DEV_SERVER_ARGS` for the first",
  }),
};

export type TemporalEnv = Parsed<typeof temporalSettings>;

/** The connection profile (@temporalio/envconfig), from the set variables and any profile file. */
export function loadTemporalProfile(present: Record<string, string>): ConnectionProfile {
  try {
    return loadConnectionProfile(present);
  } catch (err) {
    throw new ConfigError(
      `invalid configuration:\n  TEMPORAL_CONFIG_FILE / TEMPORAL_PROFILE / TEMPORAL_TLS_*: ${(err as Error).message}`,
    );
  }
}

export function temporalSection(e: TemporalEnv, profile: ConnectionProfile) {
  return {
    /** Undefined means: the local stack starts and owns a dev server. */
    address: profile.address,
    namespace: profile.namespace ?? e.TEMPORAL_NAMESPACE,
    /** API key, TLS and gRPC metadata for every connection (src/temporal/connection-options.ts). */
    connection: { apiKey: profile.apiKey, tls: profile.tls, metadata: profile.metadata },
    devServerPort: e.TEMPORAL_PORT,
    uiPort: e.TEMPORAL_UI_PORT,
    devServerExtraArgs: e.TEMPORAL_DEV_SERVER_ARGS,
    /** Undefined means: the urgent lane shares the one server. */
    urgentAddress: e.URGENT_TEMPORAL_ADDRESS,
    /** Undefined means: the urgent lane shares the one namespace. */
    urgentNamespace: e.URGENT_TEMPORAL_NAMESPACE,
    urgentDevServerPort: e.URGENT_TEMPORAL_PORT,
    urgentUiPort: e.URGENT_TEMPORAL_UI_PORT,
    urgentDevServerExtraArgs: e.URGENT_TEMPORAL_DEV_SERVER_ARGS,
  };
}
