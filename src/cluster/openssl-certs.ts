import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { StartupError } from '../startup-error.js';

/**
 * Certificates made with the `openssl` program: Node can read X.509 but not sign it. EC P-256
 * keys (fast to make; Go, rustls and Node's TLS all take them), written unencrypted with mode
 * 0600 so only this user's processes can read them.
 */

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-noenc'];

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') {
      throw new StartupError(
        'the cluster profile makes its TLS certificates with openssl, which is not on PATH; install it (Debian: apt-get install openssl)',
      );
    }
    throw new StartupError(`openssl failed: ${e.stderr?.toString().trim() || e.message}`);
  }
}

/** A self-signed CA that signs the server and client certificates. */
export function makeCa(certFile: string, keyFile: string, days: number, commonName: string): void {
  // prettier-ignore
  openssl([
    'req', '-x509', ...KEY, '-keyout', keyFile, '-out', certFile, '-days', String(days),
    '-subj', `/CN=${commonName}`,
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  chmodSync(keyFile, 0o600);
}

export interface LeafSpec {
  certFile: string;
  keyFile: string;
  commonName: string;
  /** Host names and IP addresses the certificate is good for (servers only). */
  names?: string[];
  /** serverAuth for a server; Temporal's nodes also dial each other with their server certificate. */
  usages: Array<'serverAuth' | 'clientAuth'>;
  days: number;
}

/** A certificate and its key, signed by the CA. */
export function makeLeaf(ca: { certFile: string; keyFile: string }, spec: LeafSpec): void {
  const san = (spec.names ?? []).map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`));
  // prettier-ignore
  openssl([
    'req', '-x509', ...KEY, '-keyout', spec.keyFile, '-out', spec.certFile, '-days', String(spec.days),
    '-subj', `/CN=${spec.commonName}`, '-CA', ca.certFile, '-CAkey', ca.keyFile,
    '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment',
    '-addext', `extendedKeyUsage=${spec.usages.join(',')}`,
    ...(san.length ? ['-addext', `subjectAltName=${san.join(',')}`] : []),
  ]);
  chmodSync(spec.keyFile, 0o600);
}
