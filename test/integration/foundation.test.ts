import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Webhook } from 'standardwebhooks';
import { videoWebhookUrl } from '../../src/api/webhooks/video-webhook-url.js';
import { temporalBinaries } from '../../src/temporal/binaries.js';
import { LOCAL_ACTIVITY_MARKER } from '../support/history-events.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const run = promisify(execFile);
const CODEC_TOKEN = 'foundation-codec-token';

/** The README's example, exactly as a newcomer copies it. */
function readmeExample(name: string): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const match = new RegExp(`<!-- example:${name} -->\\s*\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!match?.[1]) throw new Error(`README has no example "${name}"`);
  return match[1];
}

describe('foundation: one slice through the real stack', function () {
  this.timeout(120_000);
  let stack: TestStack;

  before(async () => {
    stack = await startTestStack({ env: { CODEC_AUTH_TOKENS: CODEC_TOKEN } });
  });
  after(async () => {
    await stack?.stop();
  });

  it('answers liveness and readiness', async () => {
    assert.equal((await fetch(`${stack.apiUrl}/healthz`)).status, 200);
    const ready = await fetch(`${stack.apiUrl}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { temporal: string }).temporal, 'reachable');
  });

  it("the README's signed-webhook example gets 202, and the job shows in the API and the Temporal CLI", async () => {
    // Asynchronous on purpose: the API under test runs in this process's event loop.
    const { stdout: output } = await run(
      'bash',
      ['-euo', 'pipefail', '-c', readmeExample('signed-webhook')],
      {
        env: { ...process.env, API: stack.apiUrl },
      },
    );
    assert.match(output, /HTTP 202/, output);
    const job = JSON.parse(output.trim().split('\n').at(-1)!) as {
      videoId: string;
      runStatus: string;
      state?: { status: string };
    };
    assert.match(job.videoId, /^readme-\d+$/);
    assert.equal(job.runStatus, 'RUNNING');
    assert.equal(job.state?.status, 'processing', 'the workflow applied the webhook');

    const { stdout: list } = await run(temporalBinaries().cli, [
      'workflow',
      'list',
      '--address',
      stack.devServer.address,
      '--query',
      `WorkflowId = "video-${job.videoId}"`,
    ]);
    assert.ok(list.includes(`video-${job.videoId}`), list);
  });

  it("the README's password-reset example gets 202 and its mail lands in the sink's folder", async () => {
    const mailDir = join(stack.config.dataDir, 'mail');
    const { stdout: output } = await run(
      'bash',
      ['-euo', 'pipefail', '-c', readmeExample('password-reset')],
      {
        env: { ...process.env, API: stack.apiUrl, MAIL_DIR: mailDir },
      },
    );
    assert.match(output, /HTTP 202/, output);
    const [mailFile] = output.trim().split('\n').slice(-1);
    assert.ok(mailFile !== undefined && mailFile.startsWith(mailDir) && mailFile.endsWith('.eml'), output);
    // The link names the user and the token (quoted-printable writes = as =3D).
    assert.match(readFileSync(mailFile, 'utf8'), /userId(=3D|=)u-42(&amp;|&)token(=3D|=)/);
  });

  describe('bad webhook requests get the right 4xx and start nothing', () => {
    const videoId = 'never-started';
    const url = () => `${stack.apiUrl}/webhooks/replicate?videoId=${videoId}`;
    const body = JSON.stringify({ id: 'pred-x', status: 'processing', output: null, error: null });
    const signedHeaders = {
      'content-type': 'application/json',
      'webhook-id': 'msg_bad',
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      'webhook-signature': 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    };

    afterEach(async () => {
      await assert.rejects(
        stack.client.workflow.getHandle(`video-${videoId}`).describe(),
        WorkflowNotFoundError,
        'a rejected webhook must not start a workflow',
      );
    });

    it('bad signature → 401', async () => {
      const res = await fetch(url(), { method: 'POST', headers: signedHeaders, body });
      assert.equal(res.status, 401);
    });
    it('not JSON → 415', async () => {
      const res = await fetch(url(), {
        method: 'POST',
        headers: { ...signedHeaders, 'content-type': 'text/plain' },
        body,
      });
      assert.equal(res.status, 415);
    });
    it('unknown source → 404', async () => {
      const res = await fetch(`${stack.apiUrl}/webhooks/nobody`, {
        method: 'POST',
        headers: signedHeaders,
        body,
      });
      assert.equal(res.status, 404);
    });
  });

  it('a password reset puts a real mail in the SMTP sink', async () => {
    const res = await stack.api('/password-resets', {
      method: 'POST',
      json: { userId: 'u-found', email: 'found@example.com' },
    });
    assert.equal(res.status, 202);
    const mail = await stack.smtp.waitFor((m) => m.to.includes('found@example.com'), 30_000);
    assert.match(mail.subject, /password/i);
  });

  it('routes for the product backend require an API key', async () => {
    const res = await fetch(`${stack.apiUrl}/videos/anything`);
    assert.equal(res.status, 401);
  });

  it("history is encrypted, and the API's codec endpoint decrypts it for the Web UI", async () => {
    const email = 'codec@example.com';
    await requestResetAndWaitForMail(stack, 'u-codec', email);
    const { payloads, addressFound } = await searchResetHistories(stack, email);
    assert.ok(payloads.length > 0, 'the reset runs have payloads');
    for (const p of payloads) assert.equal(encodingOf(p), 'binary/encrypted', 'every payload is encrypted');
    assert.equal(addressFound, false, 'the address is in no payload, metadata or data');
    const res = await stack.api('/codec/decode', {
      method: 'POST',
      // The codec's own token: a product API key does not open it (test/integration/codec-access.test.ts).
      headers: { authorization: `Bearer ${CODEC_TOKEN}` },
      json: {
        payloads: payloads.map((p) => ({
          metadata: Object.fromEntries(
            Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
          data: Buffer.from(p.data ?? []).toString('base64'),
        })),
      },
    });
    assert.equal(res.status, 200);
    const decoded = (await res.json()) as { payloads: Array<{ data: string }> };
    const plain = decoded.payloads.map((p) => Buffer.from(p.data, 'base64').toString()).join('\n');
    assert.ok(plain.includes('codec@example.com'), 'the codec endpoint decrypts the reset input');
  });

  describe('with PAYLOAD_ENCRYPTION_KEYS=off (the control for the encryption check)', () => {
    let plain: TestStack;
    before(async () => {
      plain = await startTestStack({
        lanes: ['urgent'],
        provider: false,
        env: { PAYLOAD_ENCRYPTION_KEYS: 'off' },
      });
    });
    after(async () => {
      await plain?.stop();
    });

    it('the same search finds the address in plaintext payloads', async () => {
      const email = 'control@example.com';
      await requestResetAndWaitForMail(plain, 'u-control', email);
      const { payloads, addressFound } = await searchResetHistories(plain, email);
      assert.ok(
        payloads.some((p) => encodingOf(p) === 'json/plain'),
        'plain JSON payloads',
      );
      assert.equal(addressFound, true, 'without encryption the search must see the address');
    });
  });

  // A stack of its own: stopping its Temporal leaves the other tests' stack as they expect it,
  // in whatever order they run. No workers: ready then means only "Temporal answers".
  describe('when Temporal is down', () => {
    let down: TestStack;
    before(async () => {
      down = await startTestStack({ lanes: [], provider: false, env: { READY_TASK_QUEUES: 'none' } });
    });
    after(async () => {
      await down?.stop();
    });

    it('with Temporal unreachable, a valid webhook gets 503 + Retry-After, never a 2xx, and readiness fails', async () => {
      assert.equal((await fetch(`${down.apiUrl}/readyz`)).status, 200, 'ready while Temporal runs');
      await down.devServer.stop();
      const body = JSON.stringify({ id: 'pred-down', status: 'processing', output: null, error: null });
      const id = 'msg_down';
      const now = new Date();
      const signature = new Webhook(down.config.webhooks.replicateSecrets[0]!).sign(id, now, body);
      const started = Date.now();
      const { urlTokenKeys } = down.config.webhooks;
      const res = await fetch(videoWebhookUrl(down.apiUrl, urlTokenKeys, 'down-1', 'acme'), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body,
      });
      assert.equal(res.status, 503);
      assert.ok(res.headers.get('retry-after'), 'Retry-After tells the sender when to come back');
      assert.ok(
        Date.now() - started < down.config.webhooks.ackDeadlineMs + 2_000,
        'answered within the ack deadline',
      );
      // Readiness answers from a 1 s cache: the "ready" read before the stop may still be in it.
      const probeStarted = Date.now();
      let readiness = (await fetch(`${down.apiUrl}/readyz`)).status;
      while (readiness === 200 && Date.now() - probeStarted < 5_000) {
        await new Promise((r) => setTimeout(r, 100));
        readiness = (await fetch(`${down.apiUrl}/readyz`)).status;
      }
      assert.equal(readiness, 503);
      assert.ok(
        Date.now() - probeStarted < 5_000,
        `readiness took ${Date.now() - probeStarted} ms to say no`,
      );
    });
  });
});

/** Every Payload inside a history, wherever the event keeps it. */
function collectPayloads(
  node: unknown,
  out: Array<{ metadata?: Record<string, Uint8Array>; data?: Uint8Array }> = [],
) {
  if (Array.isArray(node)) for (const item of node) collectPayloads(item, out);
  else if (node && typeof node === 'object') {
    const marker = node as { markerName?: string };
    // A patch marker's details are the patch id, written by the SDK's core outside the codec.
    if (marker.markerName === 'core_patch') return out;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'payloads' && Array.isArray(value)) out.push(...(value as typeof out));
      else if (marker.markerName === LOCAL_ACTIVITY_MARKER && key === 'details') {
        // A local activity's `data` is the core's bookkeeping (sequence, attempt, type, times),
        // written outside the codec; its `result` is the activity's answer, through the codec.
        const details = Object.entries(value as Record<string, unknown>).filter(([name]) => name !== 'data');
        collectPayloads(details, out);
      } else collectPayloads(value, out);
    }
  }
  return out;
}

type HistoryPayload = { metadata?: Record<string, Uint8Array>; data?: Uint8Array };

async function requestResetAndWaitForMail(stack: TestStack, userId: string, email: string): Promise<void> {
  const res = await stack.api('/password-resets', { method: 'POST', json: { userId, email } });
  assert.equal(res.status, 202);
  await stack.smtp.waitFor((m) => m.to.includes(email), 30_000);
}

/**
 * Every payload in every password-reset history, and whether `needle` occurs in any of their
 * bytes as stored (data and metadata, not a base64 or JSON rendering of them).
 */
async function searchResetHistories(
  stack: TestStack,
  needle: string,
): Promise<{ payloads: HistoryPayload[]; addressFound: boolean }> {
  const payloads: HistoryPayload[] = [];
  for await (const run of stack.client.workflow.list({ query: 'WorkflowType = "passwordReset"' })) {
    const history = await stack.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    payloads.push(...collectPayloads(history));
  }
  const bytesOf = (p: HistoryPayload) => [p.data ?? new Uint8Array(), ...Object.values(p.metadata ?? {})];
  const addressFound = payloads.some((p) => bytesOf(p).some((b) => Buffer.from(b).includes(needle)));
  return { payloads, addressFound };
}

function encodingOf(p: HistoryPayload): string {
  return Buffer.from(p.metadata?.encoding ?? new Uint8Array()).toString();
}
