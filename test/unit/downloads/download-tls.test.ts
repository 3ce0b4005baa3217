import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createLocalVideoStore } from '../../../src/storage/local-video-store.js';
import { createDownloadActivities } from '../../../src/activities/video/download-activities.js';

/**
 * The download connects to the checked IP, but TLS still speaks to the host name: SNI carries
 * it and the certificate is verified as usual, so a certificate no CA vouches for is refused.
 */
describe('download activity: TLS to a pinned address', function () {
  let dir: string;
  let server: Server;
  let port = 0;
  const serverNames: string[] = [];
  let requests = 0;
  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'floodgate-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
          ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1'],
          ...['-subj', '/CN=files.test', '-addext', 'subjectAltName=DNS:files.test'],
        ],
        { stdio: 'ignore' },
      );
    } catch {
      this.skip(); // no openssl on this machine to make a certificate with
    }
    server = createServer(
      {
        key: readFileSync(join(dir, 'key.pem')),
        cert: readFileSync(join(dir, 'cert.pem')),
        // Called with the client's SNI during the handshake; no context: the default one serves.
        SNICallback: (name, done) => {
          serverNames.push(name);
          done(null, undefined);
        },
      },
      (_req, res) => {
        requests += 1;
        res.end('video');
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  after(async () => {
    if (server?.listening) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the host name as SNI and refuses a certificate no trusted CA signed', async () => {
    const { downloadVideo } = createDownloadActivities({
      store: createLocalVideoStore(dir),
      allowedHosts: ['files.test'],
      allowedAddresses: ['127.0.0.1'],
      allowedPorts: [port],
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
      maxBytes: 1024,
    });
    const err = await new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') })
      .run(downloadVideo, { videoId: 'tls', url: `https://files.test:${port}/v.mp4` })
      .then(
        () => assert.fail('a self-signed certificate must not be accepted'),
        (e: unknown) => e,
      );
    assert.ok(!(err instanceof ApplicationFailure), `a TLS error, not a refusal: ${String(err)}`);
    assert.match(String((err as { code?: string }).code), /SELF_SIGNED/);
    assert.deepEqual(serverNames, ['files.test']);
    assert.equal(requests, 0);
  });
});
