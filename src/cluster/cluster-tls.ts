import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StartupError } from '../startup-error.js';
import { makeCa, makeLeaf, type LeafSpec } from './openssl-certs.js';

/**
 * The cluster profile's mutual TLS material, one folder (DATA_DIR/cluster/tls): a CA, the
 * Temporal server's certificate (its frontend, and its services talking to each other) and the
 * client certificate every other process presents. Made at the first start, reused after;
 * a file that is missing, expiring within 30 days, or not issued by the CA is made again.
 * Files of your own CA are kept: without ca-key.pem nothing is re-issued, a bad file stops the start.
 */

/** The names the server certificate is good for: loopback, and the compose service `temporal`. */
export const SERVER_NAMES = ['localhost', '127.0.0.1', 'temporal'];
/** What clients on this machine check the server certificate against. */
export const LOCAL_SERVER_NAME = 'localhost';

const CA_DAYS = 3650;
const LEAF_DAYS = 825;
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

export interface ClusterTls {
  dir: string;
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  /** What this start made (`CA`, `server`, `client`); empty when every file was reused. */
  made: string[];
}

export function clusterTlsFiles(dir: string): Omit<ClusterTls, 'made'> {
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    serverCertFile: join(dir, 'server.pem'),
    serverKeyFile: join(dir, 'server-key.pem'),
    clientCertFile: join(dir, 'client.pem'),
    clientKeyFile: join(dir, 'client-key.pem'),
  };
}

export function ensureClusterTls(dir: string, now = Date.now()): ClusterTls {
  // Only the folder of keys is private: the folders above it keep their modes (PostgreSQL's user reads some).
  mkdirSync(dirname(dir), { recursive: true });
  if (!existsSync(dir)) mkdirSync(dir, { mode: 0o700 });
  const files = clusterTlsFiles(dir);
  const ca = { certFile: files.caFile, keyFile: join(dir, 'ca-key.pem') };
  const made: string[] = [];
  const canIssue = () => existsSync(ca.keyFile);
  const refuse = (file: string, problem: string) =>
    new StartupError(
      `TLS: ${file} ${problem}, and ${dir} holds no ca-key.pem to issue a new one: ` +
        `put a valid one from your CA there, or empty ${dir} to have a new CA made`,
    );

  const caProblem = certProblem(ca.certFile, undefined, now);
  if (caProblem) {
    if (existsSync(ca.certFile) && !canIssue()) throw refuse(ca.certFile, caProblem);
    makeCa(ca.certFile, ca.keyFile, CA_DAYS, 'Floodgate cluster CA');
    made.push('CA');
  }
  const caCert = new X509Certificate(readFileSync(ca.certFile));
  const leaves: Array<[string, LeafSpec]> = [
    [
      'server',
      {
        certFile: files.serverCertFile,
        keyFile: files.serverKeyFile,
        commonName: 'floodgate-temporal',
        names: SERVER_NAMES,
        usages: ['serverAuth', 'clientAuth'],
        days: LEAF_DAYS,
      },
    ],
    [
      'client',
      {
        certFile: files.clientCertFile,
        keyFile: files.clientKeyFile,
        commonName: 'floodgate-client',
        usages: ['clientAuth'],
        days: LEAF_DAYS,
      },
    ],
  ];
  for (const [name, spec] of leaves) {
    const problem = certProblem(spec.certFile, spec.keyFile, now, caCert);
    if (!problem) continue;
    if (!canIssue()) throw refuse(spec.certFile, problem);
    makeLeaf(ca, spec);
    made.push(name);
  }
  return { ...files, made };
}

/** Why a certificate cannot be used as it is, or undefined when it can. */
function certProblem(certFile: string, keyFile: string | undefined, now: number, ca?: X509Certificate) {
  if (!existsSync(certFile)) return 'is missing';
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(readFileSync(certFile));
  } catch {
    return 'is not a PEM certificate';
  }
  if (Date.parse(cert.validTo) - now < RENEW_BEFORE_MS) return `expires ${cert.validTo}`;
  if (ca && !(cert.checkIssued(ca) && cert.verify(ca.publicKey))) return 'is not issued by ca.pem';
  if (!keyFile) return undefined;
  if (!existsSync(keyFile)) return `has no key (${keyFile} is missing)`;
  try {
    if (!cert.checkPrivateKey(createPrivateKey(readFileSync(keyFile)))) return `does not match ${keyFile}`;
  } catch {
    return `has an unreadable key ${keyFile}`;
  }
  return undefined;
}

/** The standard client settings (@temporalio/envconfig, the CLI) for a process of this machine. */
export function clientTlsEnv(tls: Omit<ClusterTls, 'made'>): Record<string, string> {
  return {
    TEMPORAL_TLS_CLIENT_CERT_PATH: tls.clientCertFile,
    TEMPORAL_TLS_CLIENT_KEY_PATH: tls.clientKeyFile,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: tls.caFile,
    TEMPORAL_TLS_SERVER_NAME: LOCAL_SERVER_NAME,
  };
}

/**
 * The client settings for the stack of `dataDir` when it is a start:cluster stack (its
 * certificates exist), else none: for tools that start a stack as a child process and connect.
 */
export function stackClientTlsEnv(dataDir: string): Record<string, string> {
  const files = clusterTlsFiles(join(dataDir, 'cluster', 'tls'));
  return existsSync(files.caFile) ? clientTlsEnv(files) : {};
}

/**
 * The environment a helper command (`npm run storm`) connects with: the user's own, plus the
 * local start:cluster stack's client certificate when the user names no credentials of their own.
 */
export function withLocalStackTls(
  env: Record<string, string | undefined>,
  dataDir: string,
): Record<string, string | undefined> {
  const ownCredentials = Object.keys(env).some(
    (k) =>
      (k.startsWith('TEMPORAL_TLS_') || k === 'TEMPORAL_API_KEY' || k === 'TEMPORAL_CONFIG_FILE') && env[k],
  );
  return ownCredentials ? env : { ...env, ...stackClientTlsEnv(dataDir) };
}
