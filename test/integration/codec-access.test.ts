import assert from 'node:assert/strict';
import { request, type Server } from 'node:http';
import { createApp } from '../../src/api/app.js';
import { createApiMetrics } from '../../src/api/metrics.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { freePort } from '../support/free-port.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const CODEC_TOKEN = 'codec-access-test-token';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request, so the Host and Origin headers are exactly what a hostile page would send. */
function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Who may decrypt payloads through the API's `/codec` (what the Web UI calls): the codec's own
 * token, never a product API key; loopback without a token only under the explicit development
 * setting, and only with this API's own name in Host.
 */
describe('/codec access: its own token, loopback only as an explicit dev setting', function () {
  this.timeout(120_000);
  let stack: TestStack;
  let encrypted: string;
  const plain = JSON.stringify({ email: 'codec-access@example.com' });
  /** A second API over the same Temporal, with CODEC_TRUST_LOOPBACK=true (what `npm start` runs). */
  let devPort: number;
  let devServer: Server | undefined;
  const uiOrigin = 'http://127.0.0.1:8233';

  const decodeBody = () => JSON.stringify({ payloads: [JSON.parse(encrypted)] });
  const decode = (port: number, headers: Record<string, string>) =>
    send(port, 'POST', '/codec/decode', { 'content-type': 'application/json', ...headers }, decodeBody());
  const apiPort = () => Number(new URL(stack.apiUrl).port);

  before(async function () {
    this.timeout(120_000);
    stack = await startTestStack({
      lanes: [],
      provider: false,
      env: { CODEC_AUTH_TOKENS: CODEC_TOKEN, CODEC_CORS_ORIGINS: uiOrigin },
    });
    devPort = await freePort();
    const devConfig = loadConfig({ ...stack.env, PORT: String(devPort), CODEC_TRUST_LOOPBACK: 'true' });
    const app = createApp({
      config: devConfig,
      client: stack.client,
      log: createLogger('test', 'silent'),
      metrics: createApiMetrics(),
    });
    devServer = app.listen(devPort, '127.0.0.1');
    await new Promise((r) => devServer!.once('listening', r));
    // A payload as the workers store it, encrypted through the codec's own encode.
    const enc = await send(
      apiPort(),
      'POST',
      '/codec/encode',
      { authorization: `Bearer ${CODEC_TOKEN}`, 'content-type': 'application/json' },
      JSON.stringify({
        payloads: [
          {
            metadata: { encoding: Buffer.from('json/plain').toString('base64') },
            data: Buffer.from(plain).toString('base64'),
          },
        ],
      }),
    );
    assert.equal(enc.status, 200, enc.body);
    const [payload] = (JSON.parse(enc.body) as { payloads: unknown[] }).payloads;
    encrypted = JSON.stringify(payload);
    assert.ok(!Buffer.from(encrypted).includes('codec-access@example.com'));
  });
  after(async () => {
    devServer?.closeAllConnections();
    await new Promise((r) => (devServer ? devServer.close(r) : r(undefined)));
    await stack?.stop();
  });

  it('decodes for the codec token', async () => {
    const res = await decode(apiPort(), { authorization: `Bearer ${CODEC_TOKEN}` });
    assert.equal(res.status, 200, res.body);
    const [p] = (JSON.parse(res.body) as { payloads: Array<{ data: string }> }).payloads;
    assert.equal(Buffer.from(p!.data, 'base64').toString(), plain);
  });

  it('refuses a product API key, a wrong token and no token (401)', async () => {
    for (const auth of [`Bearer ${stack.apiKey}`, 'Bearer not-the-token', undefined]) {
      const res = await decode(apiPort(), auth ? { authorization: auth } : {});
      assert.equal(res.status, 401, `${auth ?? 'no credential'}: ${res.body}`);
      assert.ok(!res.body.includes('codec-access@example.com'));
    }
  });

  it('refuses a browser origin other than the Web UI, even with the token; preflight grants only the UI', async () => {
    const res = await decode(apiPort(), {
      authorization: `Bearer ${CODEC_TOKEN}`,
      origin: 'http://attacker.example',
    });
    assert.equal(res.status, 403, res.body);
    const evil = await send(apiPort(), 'OPTIONS', '/codec/decode', { origin: 'http://attacker.example' });
    assert.equal(evil.headers['access-control-allow-origin'], undefined);
    const ui = await send(apiPort(), 'OPTIONS', '/codec/decode', { origin: uiOrigin });
    assert.equal(ui.headers['access-control-allow-origin'], uiOrigin);
  });

  it('under CODEC_TRUST_LOOPBACK, the local Web UI decodes without a token', async () => {
    const res = await decode(devPort, { origin: uiOrigin, host: `127.0.0.1:${devPort}` });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.headers['access-control-allow-origin'], uiOrigin);
  });

  it('under CODEC_TRUST_LOOPBACK, a loopback caller whose Host is not this API (DNS rebinding) is refused', async () => {
    for (const host of [
      `attacker.example:${devPort}`,
      'attacker.example',
      `127.0.0.1.nip.example:${devPort}`,
    ]) {
      const res = await decode(devPort, { host });
      assert.equal(res.status, 403, `Host ${host}: ${res.body}`);
      assert.ok(!res.body.includes('codec-access@example.com'));
    }
  });

  it('under CODEC_TRUST_LOOPBACK, a presented API key is still refused', async () => {
    const res = await decode(devPort, {
      host: `127.0.0.1:${devPort}`,
      authorization: `Bearer ${stack.apiKey}`,
    });
    assert.equal(res.status, 401, res.body);
  });
});
