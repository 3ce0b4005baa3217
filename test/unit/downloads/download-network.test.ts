import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import {
  createDownloadActivities,
  type DownloadDeps,
  type DownloadRequest,
  type StoredVideo,
} from '../../../src/activities/video/download-activities.js';
import type { HostResolver } from '../../../src/activities/video/download-address.js';
import { createLocalVideoStore } from '../../../src/storage/local-video-store.js';

/** A real HTTP server that counts the TCP connections made to it, not only the requests. */
interface CountingServer {
  host: string;
  port: number;
  url: string;
  connections: number;
  requests: number;
  close(): Promise<void>;
}

async function countingServer(
  host: string,
  port: number,
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<CountingServer> {
  const server: Server = createServer((req, res) => {
    counting.requests += 1;
    handle(req, res);
  });
  server.on('connection', () => (counting.connections += 1));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('server has no address');
  const counting: CountingServer = {
    host,
    port: address.port,
    url: `http://${host}:${address.port}`,
    connections: 0,
    requests: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return counting;
}

const content = randomBytes(2048);
const serveContent = (_req: IncomingMessage, res: ServerResponse) =>
  res.writeHead(200, { 'content-length': String(content.length) }).end(content);

describe('download activity: checked addresses, ports and redirects', () => {
  // `good` is on an allowed loopback address; `decoy` on a refused one, same port, so only the
  // address decides which of them a connection reaches.
  let good: CountingServer;
  let decoy: CountingServer;
  let storageDir: string;
  before(async () => {
    good = await countingServer('127.0.0.1', 0, serveContent);
    decoy = await countingServer('127.0.0.2', good.port, serveContent);
  });
  beforeEach(() => {
    storageDir = mkdtempSync(join(tmpdir(), 'floodgate-network-'));
    good.connections = good.requests = decoy.connections = decoy.requests = 0;
  });
  afterEach(() => rmSync(storageDir, { recursive: true, force: true }));
  after(async () => {
    await good.close();
    await decoy.close();
  });

  function download(deps: Partial<DownloadDeps>, req: DownloadRequest): Promise<StoredVideo> {
    const { downloadVideo } = createDownloadActivities({
      store: createLocalVideoStore(storageDir),
      allowedHosts: ['127.0.0.1', '127.0.0.2', 'localhost', 'files.test'],
      allowedAddresses: ['127.0.0.1'],
      allowedPorts: [good.port],
      maxBytes: 1024 * 1024,
      ...deps,
    });
    // Refusals are what these tests expect: keep the activity's failure warnings out of the report.
    return new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') }).run(
      downloadVideo,
      req,
    );
  }

  async function refusal(deps: Partial<DownloadDeps>, req: DownloadRequest): Promise<ApplicationFailure> {
    const err = await download(deps, req).then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.equal(err.type, 'DownloadNotAllowed', err.message);
    assert.equal(err.nonRetryable, true);
    assert.deepEqual(readdirSync(storageDir), [], 'nothing is written');
    return err;
  }

  it('downloads from an allowed address (the servers work)', async () => {
    const stored = await download({}, { videoId: 'ok', url: `${good.url}/v.mp4` });
    assert.equal(stored.sha256, createHash('sha256').update(content).digest('hex'));
    assert.equal(good.connections, 1);
  });

  it('refuses a host name that resolves to a refused address, before connecting', async () => {
    // The system resolver: localhost is loopback, and loopback is not allowed here.
    const err = await refusal(
      { allowedAddresses: [] },
      { videoId: 'named', url: `http://localhost:${good.port}/v.mp4` },
    );
    assert.match(err.message, /download host localhost resolves to (127\.0\.0\.1|::1), which is not allowed/);
    assert.equal(good.connections, 0);
  });

  it('refuses a name with any refused address, whichever order DNS answers in', async () => {
    const mixed: HostResolver = async () => [
      { address: '127.0.0.1', family: 4 },
      { address: '10.0.0.1', family: 4 },
    ];
    const err = await refusal(
      { resolve: mixed },
      { videoId: 'mixed', url: `http://files.test:${good.port}/v.mp4` },
    );
    assert.match(err.message, /files\.test resolves to 10\.0\.0\.1/);
    assert.equal(good.connections, 0);
  });

  it('refuses an address literal in a refused range, written any way the URL parser accepts', async () => {
    // 2130706434 and 0x7f.0.0.2 are 127.0.0.2 once parsed; ::ffff:127.0.0.1 is the mapped form of
    // the allowed 127.0.0.1, which an IPv4 rule does not allow.
    for (const host of ['127.0.0.2', '2130706434', '0x7f.0.0.2', '[::ffff:127.0.0.1]']) {
      await refusal(
        { allowedHosts: ['127.0.0.2', '::ffff:7f00:1', '127.0.0.1'], allowedAddresses: ['127.0.0.1/32'] },
        { videoId: 'literal', url: `http://${host}:${good.port}/v.mp4` },
      ).catch((err: unknown) => assert.fail(`${host}: ${String(err)}`));
    }
    assert.equal(decoy.connections + good.connections, 0);
  });

  it('connects only to the address it checked, even when DNS answers differently the second time', async () => {
    let lookups = 0;
    const rebinding: HostResolver = async () => {
      lookups += 1;
      return [{ address: lookups === 1 ? '127.0.0.1' : '127.0.0.2', family: 4 }];
    };
    const stored = await download(
      { resolve: rebinding },
      { videoId: 'rebind', url: `http://files.test:${good.port}/v.mp4` },
    );
    assert.equal(decoy.connections, 0, 'never connected to the second answer');
    assert.equal(good.connections, 1);
    assert.equal(stored.bytes, content.length);
  });

  it('refuses a port outside the allowed list, before connecting', async () => {
    const err = await refusal({ allowedPorts: [443, 80] }, { videoId: 'port', url: `${good.url}/v.mp4` });
    assert.match(err.message, new RegExp(`download port ${good.port} is not allowed \\(allowed: 443, 80\\)`));
    assert.equal(good.connections, 0);
  });

  describe('redirects', () => {
    let redirector: CountingServer;
    let location = '';
    before(async () => {
      redirector = await countingServer('127.0.0.1', 0, (_req, res) =>
        res.writeHead(302, { location }).end(),
      );
    });
    after(() => redirector.close());
    beforeEach(() => (redirector.connections = redirector.requests = 0));
    const deps = () => ({ allowedPorts: [good.port, redirector.port] });

    it('follows a redirect to an allowed address', async () => {
      location = `${good.url}/v.mp4`;
      const stored = await download(deps(), { videoId: 'hop', url: `${redirector.url}/r` });
      assert.equal(stored.bytes, content.length);
      assert.equal(good.requests, 1);
    });

    it('refuses a redirect to a refused address without connecting to it', async () => {
      location = `${decoy.url}/v.mp4`;
      const err = await refusal(deps(), { videoId: 'hop', url: `${redirector.url}/r` });
      assert.match(err.message, /download address 127\.0\.0\.2 is not allowed/);
      assert.equal(redirector.requests, 1);
      assert.equal(decoy.connections, 0);
    });

    it('refuses a redirect to a host name that resolves to a refused address', async () => {
      location = `http://files.test:${good.port}/v.mp4`;
      // The IPv4-mapped form of the allowed 127.0.0.1: refused, and still loopback if a bug let it through.
      const mapped: HostResolver = async () => [{ address: '::ffff:127.0.0.1', family: 6 }];
      const err = await refusal(
        { ...deps(), resolve: mapped },
        { videoId: 'hop', url: `${redirector.url}/r` },
      );
      assert.match(err.message, /files\.test resolves to ::ffff:127\.0\.0\.1/);
      assert.equal(redirector.requests, 1);
      assert.equal(good.connections, 0);
    });

    it('holds each hop to the port and host rules too, and stops redirect loops', async () => {
      location = `http://127.0.0.1:1/v.mp4`;
      assert.match(
        (await refusal(deps(), { videoId: 'hop', url: `${redirector.url}/r` })).message,
        /port 1 /,
      );
      location = `http://elsewhere.test:${good.port}/v.mp4`;
      assert.match(
        (await refusal(deps(), { videoId: 'hop', url: `${redirector.url}/r` })).message,
        /host elsewhere/,
      );
      location = `${redirector.url}/again`;
      assert.match(
        (await refusal(deps(), { videoId: 'hop', url: `${redirector.url}/r` })).message,
        /redirects more/,
      );
      assert.equal(good.connections + decoy.connections, 0);
    });
  });
});
