import { resolve } from 'node:path';
import { ensureClusterTls, SERVER_NAMES } from '../src/cluster/cluster-tls.js';

/**
 * `npm run cluster:certs -- <folder>`: the cluster profile's CA, server and client certificates
 * in a folder of your choice (docker-compose.yml mounts temporal-compose/tls). Same rules as
 * start:cluster: made when missing, reused, re-issued when expiring.
 */
const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: npm run cluster:certs -- <folder>\n');
  process.exit(2);
}
const tls = ensureClusterTls(resolve(dir));
process.stdout.write(
  `${tls.made.length ? `made: ${tls.made.join(', ')}` : 'all certificates found and valid'} in ${tls.dir} ` +
    `(server certificate for ${SERVER_NAMES.join(', ')})\n`,
);
