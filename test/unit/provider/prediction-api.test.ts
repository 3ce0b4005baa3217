import assert from 'node:assert/strict';
import { startSimulatedProvider, type SimulatedProvider } from '../../../dev/provider/simulated-provider.js';
import { FAST_TIMING, TEST_SECRET, TEST_TOKEN } from './webhook-receiver.js';

describe('simulated provider: prediction API', () => {
  let provider: SimulatedProvider;
  const auth = { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' };

  before(async () => {
    provider = await startSimulatedProvider({
      port: 0,
      apiToken: TEST_TOKEN,
      webhookSecret: TEST_SECRET,
      timing: FAST_TIMING,
    });
  });
  after(() => provider.stop());

  const submit = (body: unknown, headers: Record<string, string> = auth) =>
    fetch(`${provider.url}/v1/predictions`, { method: 'POST', headers, body: JSON.stringify(body) });

  it('answers 401 without the right bearer token, and counts it', async () => {
    const before = provider.stats().routes.unauthorized;
    const missing = await submit({ version: 'v1', input: {} }, { 'content-type': 'application/json' });
    const wrong = await fetch(`${provider.url}/v1/predictions/abc`, {
      headers: { authorization: 'Bearer nope' },
    });
    assert.equal(missing.status, 401);
    assert.equal(wrong.status, 401);
    assert.equal(provider.stats().routes.unauthorized, before + 2);
  });

  it('creates a prediction in the Replicate shape and moves it to succeeded with a file URL', async () => {
    const res = await submit({ version: 'v1', input: { prompt: 'a cat' } });
    assert.equal(res.status, 201);
    const created = (await res.json()) as Record<string, unknown> & { id: string; urls: { get: string } };
    assert.match(created.id, /^[a-z2-7]{26}$/);
    assert.equal(created.status, 'starting');
    assert.equal(created.output, null);
    assert.equal(created.error, null);
    assert.deepEqual(created.input, { prompt: 'a cat' });
    assert.equal(created.urls.get, `${provider.url}/v1/predictions/${created.id}`);

    let latest: { status: string; output: string | null; completed_at: string | null } | undefined;
    for (let i = 0; i < 100 && latest?.status !== 'succeeded'; i += 1) {
      latest = (await (await fetch(created.urls.get, { headers: auth })).json()) as typeof latest;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(latest?.status, 'succeeded');
    assert.equal(latest?.output, `${provider.url}/files/${created.id}.mp4`);
    assert.ok(latest?.completed_at);
  });

  it('rejects a submission without version or with a bad webhook filter (422)', async () => {
    assert.equal((await submit({ input: {} })).status, 422);
    assert.equal(
      (await submit({ version: 'v1', input: {}, webhook_events_filter: ['everything'] })).status,
      422,
    );
    assert.equal((await submit({ version: 'v1', input: {}, webhook: 'ftp://x' })).status, 422);
  });

  it('answers 404 for an unknown prediction and 500 when chaos says so', async () => {
    const unknown = await fetch(`${provider.url}/v1/predictions/zzzz`, { headers: auth });
    assert.equal(unknown.status, 404);
    const { id } = (await (await submit({ version: 'v1', input: {} })).json()) as { id: string };
    provider.setChaos({ statusErrorPercent: 100 });
    try {
      const res = await fetch(`${provider.url}/v1/predictions/${id}`, { headers: auth });
      assert.equal(res.status, 500);
      assert.ok(provider.stats().routes.statusErrors >= 1);
    } finally {
      provider.setChaos({ statusErrorPercent: 0 });
    }
  });

  it('ends a prediction failed with an error when the failure knob is at 100%', async () => {
    provider.setChaos({ failurePercent: 100 });
    try {
      const { id } = (await (await submit({ version: 'v1', input: {} })).json()) as { id: string };
      let body: { status: string; error: string | null; output: unknown } | undefined;
      for (let i = 0; i < 100 && body?.status !== 'failed'; i += 1) {
        await new Promise((r) => setTimeout(r, 20));
        body = (await (
          await fetch(`${provider.url}/v1/predictions/${id}`, { headers: auth })
        ).json()) as typeof body;
      }
      assert.equal(body?.status, 'failed');
      assert.match(body?.error ?? '', /simulated model failure/);
      assert.equal(body?.output, null);
    } finally {
      provider.setChaos({ failurePercent: 0 });
    }
  });
});
