import { loadClientConfigProfile, toClientOptions, type ClientConnectConfig } from '@temporalio/envconfig';

export type ConnectionProfile = ClientConnectConfig['connectionOptions'] & { namespace?: string };

/**
 * The Temporal connection the ecosystem's way (@temporalio/envconfig, as the CLI and every SDK):
 * TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_GRPC_META_*
 * over the profile TEMPORAL_PROFILE (default `default`) of the TOML file TEMPORAL_CONFIG_FILE.
 * Certificate and key files are read here, at start-up. `env` comes from config loading.
 *
 * Only an explicit TEMPORAL_CONFIG_FILE is read, not the CLI's default file
 * (~/.config/temporalio/temporal.toml): a developer's CLI profile pointing at a remote namespace
 * must not quietly take `npm start` or a test stack away from its own dev server.
 */
export function loadConnectionProfile(env: Record<string, string>): ConnectionProfile {
  const temporalOnly = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('TEMPORAL_')));
  const { connectionOptions, namespace } = toClientOptions(
    loadClientConfigProfile({ overrideEnvVars: temporalOnly, configFileStrict: true }),
  );
  return { ...connectionOptions, tls: withBuffers(connectionOptions.tls), namespace };
}

type Tls = ClientConnectConfig['connectionOptions']['tls'];

/**
 * envconfig reads certificate files as Uint8Array; the client's gRPC library refuses anything
 * but a Buffer ("rootCerts must be a Buffer"), so both kinds of connection get Buffers.
 */
function withBuffers(tls: Tls): Tls {
  if (!tls || tls === true) return tls;
  const buffer = (data?: Uint8Array) => (data ? Buffer.from(data) : undefined);
  const pair = tls.clientCertPair;
  return {
    ...tls,
    serverRootCACertificate: buffer(tls.serverRootCACertificate),
    clientCertPair: pair ? { crt: Buffer.from(pair.crt), key: Buffer.from(pair.key) } : undefined,
  };
}
