import assert from 'node:assert/strict';
import { startSimulatedProvider, type SimulatedProvider } from '../../../dev/provider/simulated-provider.js';
import { httpProvider } from '../../../dev/storm/provider-control.js';
import {
  eventually,
  FAST_TIMING,
  startWebhookReceiver,
  TEST_SECRET,
  TEST_TOKEN,
} from './webhook-receiver.js';

describe('simulated provider: /_sim control routes', () => {
  let provider: SimulatedProvider;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

  before(async () => {
    receiver = await startWebhookReceiver();
    provider = await startSimulatedProvider({
      port: 0,
      apiToken: TEST_TOKEN,
      webhookSecret: TEST_SECRET,
      timing: FAST_TIMING,
    });
  });
  after(async () => {
    await provider.stop();
    await receiver.stop();
  });

  it('turns chaos knobs over HTTP and refuses nonsense with 400', async () => {
    const control = httpProvider(provider.url);
    await control.setChaos({ dropPercent: 10, duplicatePercent: 20, reorder: true });
    assert.equal(provider.chaos().dropPercent, 10);
    assert.equal(provider.chaos().duplicatePercent, 20);
    assert.equal(provider.chaos().reorder, true);
    const bad = await fetch(`${provider.url}/_sim/chaos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dropPercent: 150 }),
    });
    assert.equal(bad.status, 400);
    assert.equal(provider.chaos().dropPercent, 10, 'a refused update changes nothing');
    await control.setChaos({ dropPercent: 0, duplicatePercent: 0, reorder: false });
  });

  it('adopts predictions nobody submitted, each reporting to its own URL', async () => {
    const control = httpProvider(provider.url);
    await control.resetStats();
    const urls = ['a', 'b', 'c'].map((v) => `${receiver.url}?videoId=${v}`);
    const ids = await control.adopt(urls);
    assert.equal(ids.length, 3);
    await eventually(() => receiver.received.length === 9);
    await eventually(() => provider.stats().webhooks.acked === 9);
    const seen = new Set(receiver.received.map((h) => (JSON.parse(h.body) as { id: string }).id));
    assert.deepEqual([...seen].sort(), [...ids].sort());
    const videos = new Set(
      receiver.received.map((h) => new URL(h.url, receiver.url).searchParams.get('videoId')),
    );
    assert.deepEqual([...videos].sort(), ['a', 'b', 'c'], 'each prediction posts to its own URL');
    const stats = await control.stats();
    assert.equal(stats.predictions.adopted, 3);
    assert.equal(stats.webhooks.acked, 9);
    await control.resetStats();
    assert.equal((await control.stats()).webhooks.acked, 0);
  });

  it('refuses an adopt request without usable webhook URLs', async () => {
    for (const body of [{ webhookUrls: ['http://127.0.0.1/ok', 'not a url'] }, { webhookUrls: [] }, {}]) {
      const res = await fetch(`${provider.url}/_sim/adopt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 400, JSON.stringify(body));
    }
  });
});
