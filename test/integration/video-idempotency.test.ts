import assert from 'node:assert/strict';
import { startTestStack, type TestStack } from '../support/test-stack.js';

interface Answer {
  status: number;
  body: { videoId?: string; workflowId?: string; error?: { code: string; message: string } };
  replayed: boolean;
}

/**
 * `Idempotency-Key` on `POST /videos` through the real API, the video lane and the simulated
 * provider: a repeated or concurrent request with the same key and body gets the first answer
 * and starts nothing more (one workflow, one provider submit); another body under the key is a 422.
 */
describe('POST /videos with an Idempotency-Key', function () {
  this.timeout(120_000);
  let stack: TestStack;

  before(async () => {
    stack = await startTestStack();
  });
  after(async () => {
    await stack?.stop();
  });

  async function post(key: string, body: unknown): Promise<Answer> {
    const res = await stack.api('/videos', {
      method: 'POST',
      json: body,
      headers: { 'idempotency-key': key },
    });
    return {
      status: res.status,
      body: (await res.json()) as Answer['body'],
      replayed: res.headers.get('idempotent-replayed') === 'true',
    };
  }

  /** Every VideoJob run of the tenant, waited to its end, so no late provider submit is missed. */
  async function finishedRunsOf(tenantId: string): Promise<string[]> {
    const ids: string[] = [];
    for await (const run of stack.client.workflow.list({ query: `TenantId = "${tenantId}"` })) {
      ids.push(run.workflowId);
    }
    await Promise.all(ids.map((id) => stack.client.workflow.getHandle(id).result()));
    return ids;
  }

  it('answers a repeated request with the first answer, and starts one job with one provider submit', async () => {
    stack.provider!.resetStats();
    const body = { tenantId: 'idem-seq', plan: 'paid', input: { prompt: 'a lighthouse', seconds: 4 } };
    const first = await post('order-1001', body);
    // The same request again, keys of the body in another order: the same body.
    const again = await post('order-1001', {
      input: { seconds: 4, prompt: 'a lighthouse' },
      plan: 'paid',
      tenantId: 'idem-seq',
    });

    assert.equal(first.status, 202, JSON.stringify(first.body));
    assert.equal(again.status, 202, JSON.stringify(again.body));
    assert.deepEqual(again.body, first.body, 'the first answer, again');
    assert.equal(first.replayed, false);
    assert.equal(again.replayed, true);
    assert.deepEqual(await finishedRunsOf('idem-seq'), [first.body.workflowId]);
    assert.equal(stack.provider!.stats().routes.submits, 1, 'the provider saw one submit');

    // After the job has finished, the key still answers the same.
    const later = await post('order-1001', body);
    assert.deepEqual([later.status, later.body], [202, first.body]);
  });

  it('refuses another body under a used key with 422, and starts nothing', async () => {
    const first = await post('order-2002', { tenantId: 'idem-other', input: { prompt: 'a fox' } });
    assert.equal(first.status, 202);
    const other = await post('order-2002', { tenantId: 'idem-other', input: { prompt: 'a wolf' } });
    const runs = await finishedRunsOf('idem-other');
    assert.equal(other.status, 422, JSON.stringify(other.body));
    assert.equal(other.body.error?.code, 'idempotency_key_reused');
    assert.match(other.body.error?.message ?? '', /Idempotency-Key/);
    assert.deepEqual(runs, [first.body.workflowId]);
  });

  it('starts one job for two identical requests sent at once', async () => {
    stack.provider!.resetStats();
    const body = { tenantId: 'idem-race', input: { prompt: 'two at once' } };
    const [a, b] = await Promise.all([post('order-3003', body), post('order-3003', body)]);
    assert.deepEqual([a.status, b.status], [202, 202]);
    assert.deepEqual(a.body, b.body);
    assert.equal([a, b].filter((x) => x.replayed).length, 1, 'one started, one replayed');
    assert.deepEqual(await finishedRunsOf('idem-race'), [a.body.workflowId]);
    assert.equal(stack.provider!.stats().routes.submits, 1, 'the provider saw one submit');
  });

  it('still answers the first answer after the failed job was retried', async () => {
    const body = { tenantId: 'idem-retry' };
    stack.provider!.setChaos({ failurePercent: 100 });
    let first: Answer;
    try {
      first = await post('order-5005', body);
      assert.equal(first.status, 202);
      await assert.rejects(stack.client.workflow.getHandle(first.body.workflowId!).result());
    } finally {
      stack.provider!.setChaos({ failurePercent: 0 });
    }
    const retry = await stack.api(`/videos/${first.body.videoId}/retry`, { method: 'POST', json: {} });
    assert.equal(retry.status, 202);
    // The key now meets the retry's run: it still knows the first request.
    const again = await post('order-5005', body);
    assert.deepEqual([again.status, again.body, again.replayed], [202, first.body, true]);
    const other = await post('order-5005', { ...body, plan: 'paid' });
    assert.equal(other.status, 422);
  });

  it('keeps different keys apart, and requests without a key as they were', async () => {
    const body = { tenantId: 'idem-apart' };
    const [k1, k2] = [await post('order-4004', body), await post('order-4005', body)];
    assert.notEqual(k1.body.videoId, k2.body.videoId);
    const plain = await Promise.all(
      [1, 2].map(() => stack.api('/videos', { method: 'POST', json: body }).then((r) => r.json())),
    );
    assert.notEqual((plain[0] as Answer['body']).videoId, (plain[1] as Answer['body']).videoId);
  });

  for (const [name, key] of [
    ['an empty key', ''],
    ['a 256-character key', 'k'.repeat(256)],
    ['a key with a Latin-1 character', 'caf\u00e9'],
  ] as const) {
    it(`answers 400 naming the header for ${name}`, async () => {
      const res = await post(key, { tenantId: 'idem-bad' });
      assert.equal(res.status, 400);
      assert.match(res.body.error?.message ?? '', /^Idempotency-Key /);
    });
  }
});
