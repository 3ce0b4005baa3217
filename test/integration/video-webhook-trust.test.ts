import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { videoWebhookUrl } from '../../src/api/webhooks/video-webhook-url.js';
import type { VideoJobState } from '../../src/shared/video-job.js';
import { videoWorkflowId } from '../../src/shared/video-job.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

interface VideoView {
  runStatus: string;
  state?: VideoJobState;
}

/** A history of one run stays under this (docs/api.md#webhook-urls): every event in it is a signal or a task of one. */
const historyBound = (maxEvents: number) => 4 * maxEvents + 100;

/**
 * The security issue's two points through the real API, a real dev server, the real workers and
 * the simulated provider: a signed webhook moves only its own job (a per-video URL token, and the
 * job's own prediction), and one job's history stays bounded however many events it is sent.
 */
describe('video webhooks: a delivery moves only its own job, and a job stays bounded', function () {
  this.timeout(240_000);
  let stack: TestStack;
  let signer: Webhook;

  before(async () => {
    stack = await startTestStack();
    signer = new Webhook(stack.config.webhooks.replicateSecrets[0]!);
  });
  after(async () => {
    await stack?.stop();
  });

  /** The URL the app issues for a video (the worker gives the provider the same one). */
  const issuedUrl = (videoId: string, tenantId = 'acme') =>
    videoWebhookUrl(stack.apiUrl, stack.config.webhooks.urlTokenKeys, videoId, tenantId);

  /** A delivery as the provider signs it: headers and body, to send to any URL. */
  function signed(prediction: Record<string, unknown>, msgId = `msg_${randomUUID()}`) {
    const body = JSON.stringify({ output: null, error: null, ...prediction });
    const now = new Date();
    const headers = {
      'content-type': 'application/json',
      'webhook-id': msgId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signer.sign(msgId, now, body),
    };
    return (url: string) => fetch(url, { method: 'POST', headers, body });
  }

  async function view(videoId: string): Promise<VideoView & { status: number }> {
    const res = await stack.api(`/videos/${videoId}`);
    return { status: res.status, ...((await res.json()) as VideoView) };
  }

  async function metric(outcome: string): Promise<number> {
    const text = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('floodgate_webhooks_total{') && l.includes(`outcome="${outcome}"`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  }

  async function until<T>(
    what: string,
    read: () => Promise<T>,
    ok: (v: T) => boolean,
    ms = 60_000,
  ): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await read();
      if (ok(value)) return value;
      if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(value).slice(0, 400)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('POST /videos/webhook-url issues the URL; the provider uses the one the worker gives it, end to end', async () => {
    const issued = await stack.api('/videos/webhook-url', { method: 'POST', json: { tenantId: 'acme' } });
    assert.equal(issued.status, 200);
    const { videoId, webhookUrl } = (await issued.json()) as { videoId: string; webhookUrl: string };
    assert.equal(webhookUrl, issuedUrl(videoId), 'the route and the helper give the same URL');
    assert.match(new URL(webhookUrl).searchParams.get('token') ?? '', /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const noKey = await fetch(`${stack.apiUrl}/videos/webhook-url`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"tenantId":"acme"}',
    });
    assert.equal(noKey.status, 401, 'issued to the product backend only');

    const refusedBefore = await metric('rejected_url_token');
    const created = await stack.api('/videos', { method: 'POST', json: { tenantId: 'acme' } });
    assert.equal(created.status, 202);
    const { workflowId } = (await created.json()) as { workflowId: string };
    await stack.client.workflow.getHandle(workflowId).result();
    assert.equal(await metric('rejected_url_token'), refusedBefore, "the provider's deliveries all passed");
  });

  it("refuses a signed delivery replayed to another video's URL (403/401) and changes nothing", async () => {
    const [a, b] = [`trust-a-${randomUUID()}`, `trust-b-${randomUUID()}`];
    const captured = signed({ id: `pred-${a}`, status: 'processing' });
    assert.equal((await captured(issuedUrl(a))).status, 202);
    const refusedBefore = await metric('rejected_url_token');

    // The attacker keeps A's token (all it has) and puts B's id on the URL, or drops the token.
    const withAsToken = new URL(issuedUrl(a));
    withAsToken.searchParams.set('videoId', b);
    assert.equal((await captured(withAsToken.toString())).status, 403);
    assert.equal(
      (await captured(`${stack.apiUrl}/webhooks/replicate?videoId=${b}&tenantId=acme`)).status,
      401,
    );
    assert.equal(
      (await captured(`${stack.apiUrl}/webhooks/replicate`)).status,
      401,
      'no prediction-id fallback',
    );
    assert.equal(await metric('rejected_url_token'), refusedBefore + 1);
    assert.equal((await view(b)).status, 404, 'no job was started for B');
    await assert.rejects(stack.client.workflow.getHandle(videoWorkflowId(`pred-${a}`)).describe());

    // B exists; a refused replay still changes nothing in it.
    assert.equal((await signed({ id: `pred-${b}`, status: 'processing' })(issuedUrl(b))).status, 202);
    const before = await until(
      'B took its event',
      () => view(b),
      (v) => v.state?.eventsSeen === 1,
    );
    assert.equal((await captured(withAsToken.toString())).status, 403);
    const after = await view(b);
    assert.deepEqual(
      [after.state?.eventsSeen, after.state?.providerJobId, after.state?.status],
      [before.state?.eventsSeen, `pred-${b}`, 'processing'],
    );
  });

  it('a job ignores and counts an event of another prediction, even on its own valid URL', async () => {
    const videoId = `trust-own-${randomUUID()}`;
    assert.equal(
      (await signed({ id: `pred-${videoId}`, status: 'processing' })(issuedUrl(videoId))).status,
      202,
    );
    // Another prediction's success, raced to this video's URL before its own: accepted by the API, not by the job.
    const other = signed({
      id: 'pred-someone-else',
      status: 'succeeded',
      output: 'http://127.0.0.1:9/x.mp4',
    });
    assert.equal((await other(issuedUrl(videoId))).status, 202);
    const seen = await until(
      'the job counted it',
      () => view(videoId),
      (v) => v.state?.eventsSeen === 2,
    );
    assert.equal(seen.state?.foreignEventsIgnored, 1);
    assert.deepEqual(
      [seen.runStatus, seen.state?.status, seen.state?.providerJobId, seen.state?.downloadUrl],
      ['RUNNING', 'processing', `pred-${videoId}`, undefined],
    );
  });

  it('after /retry, a late event of the old prediction does not move the new run', async () => {
    stack.provider!.setChaos({ failurePercent: 100 });
    let videoId: string;
    let oldPrediction: string;
    try {
      const created = await stack.api('/videos', { method: 'POST', json: { tenantId: 'acme' } });
      ({ videoId } = (await created.json()) as { videoId: string });
      await assert.rejects(stack.client.workflow.getHandle(videoWorkflowId(videoId)).result());
      oldPrediction = (await view(videoId)).state!.providerJobId!;
    } finally {
      stack.provider!.setChaos({ failurePercent: 0 });
    }
    const retry = await stack.api(`/videos/${videoId}/retry`, { method: 'POST', json: {} });
    assert.equal(retry.status, 202);
    const { runId } = (await retry.json()) as { runId: string };
    // The old prediction's late success, signed and on the video's own URL, while the new run works.
    const late = signed({
      id: oldPrediction,
      status: 'succeeded',
      output: `${stack.providerUrl}/files/old.mp4`,
    });
    assert.equal((await late(issuedUrl(videoId))).status, 202);

    await stack.client.workflow.getHandle(videoWorkflowId(videoId), runId).result();
    const done = await view(videoId);
    assert.equal(done.state?.status, 'completed');
    assert.notEqual(done.state?.providerJobId, oldPrediction, 'the new run has its own prediction');
    assert.ok(
      !done.state?.downloadUrl?.includes('old.mp4'),
      `took the old output: ${done.state?.downloadUrl}`,
    );
    assert.equal(done.state?.foreignEventsIgnored, 1);
  });

  it('5,000 distinct events to one job: every run of it stays under the stated history bound', async () => {
    const videoId = `trust-flood-${randomUUID()}`;
    const url = issuedUrl(videoId);
    const total = 5_000;
    const maxEvents = stack.config.webhooks.videoJobMaxEvents;
    let next = 0;
    const statuses = new Map<number, number>();
    /** Posts one event as a sender does: a 503 (the server busy with this one workflow) is sent again with backoff. */
    async function deliver(n: number): Promise<void> {
      const send = signed({ id: `pred-${videoId}`, status: 'processing' }, `msg_flood_${n}`);
      for (let attempt = 1; ; attempt++) {
        const res = await send(url);
        await res.arrayBuffer();
        if (res.status !== 503 || attempt === 40) {
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          return;
        }
        const backoffMs = Math.min(1_000, 25 * 2 ** attempt);
        await new Promise((r) => setTimeout(r, backoffMs / 2 + Math.random() * (backoffMs / 2)));
      }
    }
    // 8 senders at once, each posting one signed event after another: bounded by `total`.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < total) await deliver((next += 1));
      }),
    );
    assert.deepEqual([...statuses], [[202, total]]);

    const final = await until(
      'the job took every event',
      () => view(videoId),
      (v) => v.state?.eventsSeen === total,
      120_000,
    );
    const continued = final.state!.runsContinued;
    assert.deepEqual([final.runStatus, final.state?.status], ['RUNNING', 'processing']);

    const runs = await until(
      'every run is listed',
      async () => {
        const list = [];
        for await (const run of stack.client.workflow.list({
          query: `WorkflowId = "${videoWorkflowId(videoId)}"`,
        }))
          list.push(run);
        return list;
      },
      (list) => list.length === continued + 1,
    );
    let largest = 0;
    for (const run of runs) {
      const history = await stack.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      largest = Math.max(largest, history.events?.length ?? 0);
    }
    assert.ok(
      largest <= historyBound(maxEvents),
      `a run of ${largest} events (bound ${historyBound(maxEvents)})`,
    );
    assert.ok(continued >= Math.floor(total / maxEvents) - 1, `continued as new ${continued} times`);
  });
});
