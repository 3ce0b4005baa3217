import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { startSimulatedProvider, type SimulatedProvider } from '../../../dev/provider/simulated-provider.js';
import { eventually, FAST_TIMING, TEST_SECRET, TEST_TOKEN } from './webhook-receiver.js';

const SIZE = 100_000;

describe('simulated provider: output files', () => {
  let provider: SimulatedProvider;
  let fileUrl: string;

  before(async () => {
    provider = await startSimulatedProvider({
      port: 0,
      apiToken: TEST_TOKEN,
      webhookSecret: TEST_SECRET,
      timing: FAST_TIMING,
      fileSizeBytes: SIZE,
    });
    const res = await fetch(`${provider.url}/v1/predictions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ version: 'v1', input: {} }),
    });
    const { id } = (await res.json()) as { id: string };
    await eventually(() => provider.stats().predictions.succeeded === 1);
    fileUrl = `${provider.url}/files/${id}.mp4`;
  });
  after(() => provider.stop());
  afterEach(() => provider.setChaos({ fileErrorPercent: 0, truncatePercent: 0, fileBytesPerSecond: 0 }));

  it('serves the whole file with Content-Length and a matching X-Checksum-Sha256', async () => {
    const res = await fetch(fileUrl);
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), String(SIZE));
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
    assert.equal(body.length, SIZE);
    assert.equal(res.headers.get('x-checksum-sha256'), createHash('sha256').update(body).digest('hex'));
    const again = Buffer.from(await (await fetch(fileUrl)).arrayBuffer());
    assert.ok(again.equals(body), 'the same bytes every time');
  });

  it('answers Range: bytes=N- with 206, Content-Range and exactly the tail', async () => {
    const whole = Buffer.from(await (await fetch(fileUrl)).arrayBuffer());
    const res = await fetch(fileUrl, { headers: { range: 'bytes=60000-' } });
    const tail = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-range'), `bytes 60000-${SIZE - 1}/${SIZE}`);
    assert.equal(res.headers.get('content-length'), String(SIZE - 60000));
    assert.ok(tail.equals(whole.subarray(60000)));
    assert.equal(res.headers.get('x-checksum-sha256'), createHash('sha256').update(whole).digest('hex'));
  });

  it('answers 416 for a range past the end, 404 for an unknown file', async () => {
    const res = await fetch(fileUrl, { headers: { range: `bytes=${SIZE}-` } });
    assert.equal(res.status, 416);
    assert.equal(res.headers.get('content-range'), `bytes */${SIZE}`);
    assert.equal((await fetch(`${provider.url}/files/nosuchprediction.mp4`)).status, 404);
  });

  it('answers 500 on the file route when the error knob is at 100%', async () => {
    provider.setChaos({ fileErrorPercent: 100 });
    const res = await fetch(fileUrl);
    assert.equal(res.status, 500);
    await res.arrayBuffer();
  });

  it('cuts the connection mid-body when the truncate knob is at 100%', async () => {
    provider.setChaos({ truncatePercent: 100 });
    const outcome = await new Promise<{ received: number; declared: number; error?: string }>((resolve) => {
      request(fileUrl, (res) => {
        let received = 0;
        res.on('data', (c: Buffer) => (received += c.length));
        const declared = Number(res.headers['content-length']);
        res.on('error', (err) => resolve({ received, declared, error: err.message }));
        res.on('end', () => resolve({ received, declared }));
      }).end();
    });
    assert.equal(outcome.declared, SIZE);
    assert.ok(outcome.received < SIZE, `received ${outcome.received} of ${SIZE}`);
    assert.ok(outcome.error, 'the client sees the connection cut');
    assert.equal(provider.stats().routes.fileTruncated, 1);
  });

  it('paces the body when a download speed is set', async () => {
    provider.setChaos({ fileBytesPerSecond: 200_000 });
    const started = performance.now();
    const body = Buffer.from(
      await (await fetch(fileUrl, { headers: { range: 'bytes=50000-' } })).arrayBuffer(),
    );
    const elapsed = performance.now() - started;
    assert.equal(body.length, 50_000);
    assert.ok(elapsed >= 200, `50 kB at 200 kB/s took ${elapsed.toFixed(0)} ms`);
  });
});
