import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import type { ChaosKnobs } from '../../../dev/provider/chaos.js';
import { startSimulatedProvider, type SimulatedProvider } from '../../../dev/provider/simulated-provider.js';
import {
  eventually,
  FAST_TIMING,
  startWebhookReceiver,
  TEST_SECRET,
  TEST_TOKEN,
} from './webhook-receiver.js';

type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

describe('simulated provider: webhooks', () => {
  let provider: SimulatedProvider | undefined;
  let receiver: Receiver | undefined;

  afterEach(async () => {
    await provider?.stop();
    await receiver?.stop();
    provider = undefined;
    receiver = undefined;
  });

  async function setUp(
    opts: { chaos?: Partial<ChaosKnobs>; answer?: Parameters<typeof startWebhookReceiver>[0] } = {},
  ) {
    receiver = await startWebhookReceiver(opts.answer);
    provider = await startSimulatedProvider({
      port: 0,
      apiToken: TEST_TOKEN,
      webhookSecret: TEST_SECRET,
      timing: FAST_TIMING,
      chaos: opts.chaos,
      delivery: { baseDelayMs: 10, maxDelayMs: 40, maxAttempts: 4, timeoutMs: 2_000 },
    });
    return { provider, receiver };
  }

  async function submit(p: SimulatedProvider, body: Record<string, unknown>): Promise<string> {
    const res = await fetch(`${p.url}/v1/predictions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ version: 'v1', input: {}, ...body }),
    });
    assert.equal(res.status, 201);
    return ((await res.json()) as { id: string }).id;
  }

  const statuses = (r: Receiver) => r.received.map((h) => (JSON.parse(h.body) as { status: string }).status);

  it('signs every event so that the standardwebhooks reference verify() accepts it', async () => {
    const { provider, receiver } = await setUp();
    const id = await submit(provider, { webhook: `${receiver.url}?videoId=v1` });
    await eventually(() => receiver.received.length === 3);
    const verifier = new Webhook(TEST_SECRET);
    for (const hook of receiver.received) {
      const payload = verifier.verify(hook.body, hook.headers as Record<string, string>) as { id: string };
      assert.equal(payload.id, id);
      assert.match(String(hook.headers['webhook-signature']), /^v1,[A-Za-z0-9+/=]+$/);
    }
    assert.deepEqual(statuses(receiver), ['starting', 'processing', 'succeeded']);
    assert.equal(new Set(receiver.received.map((h) => h.headers['webhook-id'])).size, 3, 'one id per event');
    assert.throws(() =>
      new Webhook('whsec_b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldA==').verify(
        receiver.received[0]!.body,
        receiver.received[0]!.headers as Record<string, string>,
      ),
    );
    await eventually(() => provider.stats().webhooks.acked === 3);
    const stats = provider.stats();
    assert.equal(stats.webhooks.ackedByStatus['202'], 3);
    assert.equal(stats.ackLatencyMs.count, 3);
  });

  it('redelivers after a 500 with the same webhook-id and counts the retry', async () => {
    const { provider, receiver } = await setUp({ answer: (_hook, n) => (n <= 2 ? 500 : 202) });
    await submit(provider, { webhook: receiver.url, webhook_events_filter: ['completed'] });
    await eventually(() => provider.stats().webhooks.acked === 1);
    const ids = receiver.received.map((h) => h.headers['webhook-id']);
    assert.equal(receiver.received.length, 3);
    assert.equal(new Set(ids).size, 1, 'a redelivery keeps the webhook-id');
    const { webhooks } = provider.stats();
    assert.equal(webhooks.attempts, 3);
    assert.equal(webhooks.retries, 2);
    assert.equal(webhooks.failedByStatus['500'], 2);
  });

  it('gives up after the last attempt, and does not retry a 4xx refusal', async () => {
    const { provider, receiver } = await setUp({
      answer: (hook) => (hook.body.includes('"starting"') ? 401 : 503),
    });
    await submit(provider, { webhook: receiver.url, webhook_events_filter: ['start', 'completed'] });
    await eventually(() => provider.stats().webhooks.gaveUp === 1);
    const { webhooks } = provider.stats();
    assert.equal(webhooks.rejected, 1);
    assert.equal(webhooks.failedByStatus['401'], 1, 'the 401 was tried once');
    assert.equal(webhooks.failedByStatus['503'], 4, 'the 503 was tried maxAttempts times');
    assert.equal(webhooks.attempts, 5);
  });

  it('counts a refused connection as a network failure and keeps retrying', async () => {
    const { provider, receiver } = await setUp();
    const deadUrl = receiver.url;
    await receiver.stop();
    await submit(provider, { webhook: deadUrl, webhook_events_filter: ['completed'] });
    await eventually(() => provider.stats().webhooks.gaveUp === 1);
    assert.equal(provider.stats().webhooks.failedByStatus.network, 4);
  });

  it('sends a duplicate with the same webhook-id when the duplicate knob is at 100%', async () => {
    const { provider, receiver } = await setUp({ chaos: { duplicatePercent: 100 } });
    await submit(provider, { webhook: receiver.url });
    await eventually(() => receiver.received.length === 6);
    const perId = new Map<string, number>();
    for (const h of receiver.received) {
      const id = String(h.headers['webhook-id']);
      perId.set(id, (perId.get(id) ?? 0) + 1);
    }
    assert.deepEqual([...perId.values()], [2, 2, 2]);
    assert.equal(provider.stats().webhooks.duplicated, 3);
  });

  it('drops every event but the first when the drop knob is at 100%; the status API still tells the end', async () => {
    const { provider, receiver } = await setUp({ chaos: { dropPercent: 100 } });
    const id = await submit(provider, { webhook: receiver.url });
    await eventually(() => provider.stats().predictions.succeeded === 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(statuses(receiver), ['starting']);
    assert.equal(provider.stats().webhooks.dropped, 2);
    const polled = await fetch(`${provider.url}/v1/predictions/${id}`, {
      headers: { authorization: `Bearer ${TEST_TOKEN}` },
    });
    assert.equal(((await polled.json()) as { status: string }).status, 'succeeded');
  });

  it('holds events back and delivers them shuffled after the end when reordering', async () => {
    const { provider, receiver } = await setUp({ chaos: { reorder: true } });
    const orders = new Set<string>();
    for (let i = 0; i < 12; i += 1) {
      receiver.received.length = 0;
      await submit(provider, { webhook: receiver.url });
      await eventually(() => receiver.received.length === 3);
      orders.add(statuses(receiver).join(','));
    }
    assert.ok(orders.size > 1, `seen orders: ${[...orders].join(' | ')}`);
    // The receiver records a webhook before it answers; the provider counts the ack after.
    await eventually(() => provider.stats().webhooks.acked === 36);
  });

  it('sends only the events the webhook_events_filter asks for', async () => {
    const { provider, receiver } = await setUp();
    await submit(provider, { webhook: receiver.url, webhook_events_filter: ['completed'] });
    await eventually(() => receiver.received.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(statuses(receiver), ['succeeded']);
    assert.equal(provider.stats().webhooks.events, 1);
  });
});
