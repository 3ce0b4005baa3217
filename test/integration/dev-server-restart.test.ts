import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Webhook } from 'standardwebhooks';
import { videoWebhookUrl } from '../../src/api/webhooks/video-webhook-url.js';
import { parseUrlTokenKeys } from '../../src/api/webhooks/webhook-url-token.js';
import { DEV_DEFAULTS } from '../../src/config.js';
import { TASK_QUEUES } from '../../src/shared/task-queues.js';
import { videoWorkflowId } from '../../src/shared/video-job.js';
import { queuesWithoutPollers } from '../../src/temporal/lane-pollers.js';
import { startNpmStack, type NpmStartStack } from '../../dev/faults/npm-start-process.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
    await sleep(250);
  }
}

/** Stops the service's next process (SIGSTOP) as soon as it appears, resumes it after `ms`. */
async function holdNextProcess(
  stack: NpmStartStack,
  name: string,
  previous: number,
  ms: number,
): Promise<number> {
  const deadline = Date.now() + 15_000;
  let pid = stack.pid(name);
  while ((!pid || pid === previous) && Date.now() < deadline) {
    await sleep(10);
    pid = stack.pid(name);
  }
  if (!pid || pid === previous) return 0;
  try {
    process.kill(pid, 'SIGSTOP');
    await sleep(ms);
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  return ms;
}

/**
 * kill -9 of the Temporal dev server under `npm start`: the supervisor restarts it on the
 * same SQLite file; meanwhile the API says 503 + Retry-After; afterwards history is intact,
 * the workers take work again by themselves, and nothing acknowledged is lost.
 */
describe('Temporal dev server killed under npm start', function () {
  this.timeout(360_000);
  let stack: NpmStartStack;
  let connection: Connection;
  let client: Client;
  const key = DEV_DEFAULTS.apiKey;

  before(async () => {
    stack = await startNpmStack();
    connection = await Connection.connect({ address: stack.temporalAddress });
    client = new Client({ connection });
  });
  after(async () => {
    await connection?.close();
    await stack?.stop();
  });

  const api = (path: string, body?: unknown) =>
    fetch(`${stack.apiUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });

  const signer = new Webhook(DEV_DEFAULTS.replicateSecret);
  function webhook(videoId: string): Promise<Response> {
    const id = `msg_${videoId}`;
    const now = new Date();
    const body = JSON.stringify({ id: `pred-${videoId}`, status: 'processing', output: null, error: null });
    const urlKeys = parseUrlTokenKeys([DEV_DEFAULTS.webhookUrlKey]);
    return fetch(videoWebhookUrl(stack.apiUrl, urlKeys, videoId, 'acme'), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signer.sign(id, now, body),
      },
      body,
      signal: AbortSignal.timeout(15_000),
    });
  }

  const eventsOf = async (workflowId: string) => {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).map((e) => `${String(e.eventId)}:${String(e.eventType)}`);
  };

  it('ready means ready: at the banner every lane is polled, and the first reset is mailed', async () => {
    // A worker still starting behind the banner made the first reset wait 2.4–2.9 s for it.
    assert.deepEqual(
      await queuesWithoutPollers(client, 'default', [TASK_QUEUES.urgent, TASK_QUEUES.video]),
      [],
      'lanes without a polling worker right after the banner',
    );
    assert.equal(
      (await api('/password-resets', { userId: 'u-before', email: 'before@example.com' })).status,
      202,
    );
    const deadline = Date.now() + 30_000;
    while (stack.mailsContaining('before@example.com') === 0 && Date.now() < deadline) await sleep(20);
    assert.equal(stack.mailsContaining('before@example.com'), 1, 'the first reset was mailed once');
  });

  it('restarts it on the same SQLite file; 503 meanwhile; history, workers and every accepted request survive', async () => {
    // An open job across the outage: the provider holds its webhooks back for a while.
    await fetch(`${stack.providerUrl}/_sim/chaos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ delayMs: [8_000, 10_000] }),
    });
    const submitted = await api('/videos', {
      tenantId: 'acme',
      plan: 'paid',
      input: { prompt: 'across a crash' },
    });
    assert.equal(submitted.status, 202);
    const { videoId } = (await submitted.json()) as { videoId: string };
    const jobId = videoWorkflowId(videoId);
    const before = await until('the job has run its first task', 30_000, async () => {
      const events = await eventsOf(jobId);
      return events.length >= 5 ? events : undefined;
    });

    const oldServer = stack.pid('temporal')!;
    const workersBefore = { urgent: stack.pid('worker-urgent'), video: stack.pid('worker-video') };
    assert.ok(oldServer, 'the supervisor wrote the dev server PID');
    process.kill(oldServer, 'SIGKILL');
    const killedAt = Date.now();
    // The dev server often restarts within about the API's own retry budget (~1 s); holding
    // the new process still for a few seconds makes the outage long enough to see every 503.
    const held = holdNextProcess(stack, 'temporal', oldServer, 4_000);

    // During the outage every answer is a durable 202 or a 503 with Retry-After, never anything else.
    const seen = { webhook: 0, reset: 0, submit: 0, readyz: 0 };
    const acceptedVideos: string[] = [];
    const acceptedResets: string[] = [];
    for (
      let i = 0;
      i < 100 && (seen.webhook === 0 || seen.reset === 0 || seen.submit === 0 || seen.readyz === 0);
      i += 1
    ) {
      const [w, r, v, ready] = await Promise.all([
        webhook(`outage-${i}`),
        api('/password-resets', { userId: `u-outage-${i}`, email: `outage-${i}@example.com` }),
        api('/videos', { tenantId: 'acme', input: { prompt: `outage ${i}` } }),
        fetch(`${stack.apiUrl}/readyz`),
      ]);
      for (const [name, res] of [
        ['webhook', w],
        ['reset', r],
        ['submit', v],
      ] as const) {
        if (res.status === 503) {
          assert.ok(res.headers.get('retry-after'), `${name} 503 carries Retry-After`);
          seen[name] += 1;
        } else assert.equal(res.status, 202, `${name} during the outage: 202 or 503, got ${res.status}`);
      }
      if (w.status === 202) acceptedVideos.push(`outage-${i}`);
      if (r.status === 202) acceptedResets.push(`outage-${i}@example.com`);
      if (v.status === 202) acceptedVideos.push(((await v.json()) as { videoId: string }).videoId);
      if (ready.status === 503) seen.readyz += 1;
      else assert.equal(ready.status, 200);
      await sleep(100);
    }
    assert.ok(
      seen.webhook > 0 && seen.reset > 0 && seen.submit > 0 && seen.readyz > 0,
      `503s seen: ${JSON.stringify(seen)}`,
    );
    const heldMs = await held;

    await until('/readyz ready again', 120_000, async () =>
      (await fetch(`${stack.apiUrl}/readyz`)).status === 200 ? true : undefined,
    );
    const recoveredMs = Date.now() - killedAt - heldMs;

    const newServer = stack.pid('temporal')!;
    assert.notEqual(newServer, oldServer, 'a new dev server process');
    const cmdline = readFileSync(`/proc/${newServer}/cmdline`, 'utf8').split('\0');
    assert.ok(
      cmdline.includes(join(stack.dataDir, 'temporal.sqlite')),
      `same SQLite file: ${cmdline.join(' ')}`,
    );

    // The history written before the crash is still there, event for event.
    const after = await eventsOf(jobId);
    assert.deepEqual(after.slice(0, before.length), before);

    // Workers reconnect by themselves: the open job completes and a new reset is mailed.
    await until('the open job completes', 120_000, async () => {
      const { status } = await client.workflow.getHandle(jobId).describe();
      return status.name === 'COMPLETED' ? true : undefined;
    });
    assert.equal(
      (await api('/password-resets', { userId: 'u-after', email: 'after@example.com' })).status,
      202,
    );
    await until(
      'a reset mail after the restart',
      60_000,
      async () => stack.mailsContaining('after@example.com') || undefined,
    );

    // Nothing acknowledged was lost: every 202 of the outage is in Temporal, every accepted reset mailed.
    for (const id of acceptedVideos) await client.workflow.getHandle(videoWorkflowId(id)).describe();
    for (const email of acceptedResets) {
      await until(`mail to ${email}`, 60_000, async () => stack.mailsContaining(email) || undefined);
    }
    const stats = (await (await fetch(`${stack.providerUrl}/_sim/stats`)).json()) as {
      webhooks: { gaveUp: number };
    };
    assert.equal(stats.webhooks.gaveUp, 0, 'the provider gave up on no webhook');

    const workersAfter = { urgent: stack.pid('worker-urgent'), video: stack.pid('worker-video') };
    // The workers ride out the outage by retrying their polls: the same processes take work after.
    assert.deepEqual(workersAfter, workersBefore, 'the lane workers kept their processes');
    process.stdout.write(
      `      dev server back in ${recoveredMs} ms (not counting ${heldMs} ms held); 503s ${JSON.stringify(seen)}; accepted during outage ` +
        `${acceptedVideos.length} jobs (webhook or submit), ${acceptedResets.length} resets\n`,
    );
  });
});
