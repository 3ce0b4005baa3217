import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { startSimulatedProvider, type SimulatedProvider } from '../../../dev/provider/simulated-provider.js';
import { createProviderActivities } from '../../../src/activities/video/provider-activities.js';
import { ReplicateClient } from '../../../src/activities/video/replicate-client.js';
import { FAST_TIMING, TEST_SECRET, TEST_TOKEN } from './webhook-receiver.js';

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  contentType?: string;
  body: string;
}

/** A provider that answers every request with the next canned answer, and records what it was asked. */
async function cannedProvider(): Promise<{
  url: string;
  seen: Seen[];
  answer: (status: number, body: string) => void;
  close: () => Promise<void>;
}> {
  const seen: Seen[] = [];
  let next = { status: 200, body: '{}' };
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body,
      });
      res.writeHead(next.status, { 'content-type': 'application/json' }).end(next.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    seen,
    answer: (status, body) => (next = { status, body }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('provider activities over HTTP', () => {
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
    new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') }).run(
      fn,
      ...args,
    ) as Promise<R>;

  describe('against the simulated provider', () => {
    let sim: SimulatedProvider;
    before(async () => {
      sim = await startSimulatedProvider({
        port: 0,
        apiToken: TEST_TOKEN,
        webhookSecret: TEST_SECRET,
        timing: FAST_TIMING,
      });
    });
    after(() => sim?.stop());

    it('submits a job and reads it back until it succeeds with its output URL', async () => {
      const activities = createProviderActivities({
        client: new ReplicateClient({ baseUrl: sim.url, apiToken: TEST_TOKEN }),
        modelVersion: 'v1',
        // Nothing listens there: the provider's webhooks are not what this test is about.
        webhookUrlFor: ({ videoId }) => `http://127.0.0.1:9/webhooks/replicate?videoId=${videoId}`,
      });
      const submitted = await run(activities.submitVideoJob, { videoId: 'v1', tenantId: 'acme', input: {} });
      assert.equal(submitted.status, 'starting');
      assert.deepEqual(Object.keys(submitted).sort(), ['providerJobId', 'status']);
      let polled = submitted;
      for (let i = 0; i < 100 && polled.status !== 'succeeded'; i++) {
        await new Promise((r) => setTimeout(r, 20));
        polled = await run(activities.getVideoJobStatus, { providerJobId: submitted.providerJobId });
      }
      assert.equal(polled.providerJobId, submitted.providerJobId);
      assert.equal(polled.status, 'succeeded');
      assert.match(polled.downloadUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+\//);
      assert.equal('error' in polled, false);
    });
  });

  describe('against canned answers', () => {
    let provider: Awaited<ReturnType<typeof cannedProvider>>;
    let activities: ReturnType<typeof createProviderActivities>;
    before(async () => {
      provider = await cannedProvider();
      activities = createProviderActivities({
        client: new ReplicateClient({ baseUrl: `${provider.url}//`, apiToken: 'secret-token' }),
        modelVersion: 'model-v7',
        webhookUrlFor: ({ videoId, tenantId }) => `https://floodgate.example/hook?v=${videoId}&t=${tenantId}`,
      });
    });
    after(() => provider?.close());

    const failure = async (promise: Promise<unknown>, type: string, message: string, nonRetryable: boolean) =>
      assert.rejects(promise, (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure, String(err));
        assert.deepEqual([err.type, err.message, err.nonRetryable], [type, message, nonRetryable]);
        return true;
      });

    it('sends the model, input, webhook and events it asks for, with the token', async () => {
      provider.answer(201, JSON.stringify({ id: 'p1', status: 'starting', output: null, error: null }));
      const input = { prompt: 'a cat' };
      assert.deepEqual(await run(activities.submitVideoJob, { videoId: 'v1', tenantId: 'acme', input }), {
        providerJobId: 'p1',
        status: 'starting',
      });
      const post = provider.seen.at(-1)!;
      assert.deepEqual(
        [post.method, post.url, post.authorization, post.contentType],
        ['POST', '/v1/predictions', 'Bearer secret-token', 'application/json'],
      );
      assert.deepEqual(JSON.parse(post.body), {
        version: 'model-v7',
        input,
        webhook: 'https://floodgate.example/hook?v=v1&t=acme',
        webhook_events_filter: ['start', 'output', 'completed'],
      });

      provider.answer(200, JSON.stringify({ id: 'a b', status: 'processing' }));
      await run(activities.getVideoJobStatus, { providerJobId: 'a b' });
      const get = provider.seen.at(-1)!;
      assert.deepEqual(
        [get.method, get.url, get.contentType, get.body],
        ['GET', '/v1/predictions/a%20b', undefined, ''],
      );
    });

    it('normalizes the prediction: first output URL, error text only when there is one', async () => {
      const status = (prediction: object) => {
        provider.answer(200, JSON.stringify(prediction));
        return run(activities.getVideoJobStatus, { providerJobId: 'p1' });
      };
      assert.deepEqual(
        await status({
          id: 'p1',
          status: 'failed',
          error: 'out of memory',
          output: ['https://x/1.mp4', 'https://x/2.mp4'],
        }),
        {
          providerJobId: 'p1',
          status: 'failed',
          downloadUrl: 'https://x/1.mp4',
          error: 'out of memory',
        },
      );
      assert.deepEqual(
        await status({ id: 'p1', status: 'succeeded', output: 'https://x/only.mp4', error: '' }),
        {
          providerJobId: 'p1',
          status: 'succeeded',
          downloadUrl: 'https://x/only.mp4',
        },
      );
      assert.deepEqual(await status({ id: 'p1', status: 'failed', error: { code: 7 }, output: [3] }), {
        providerJobId: 'p1',
        status: 'failed',
      });
    });

    it('refuses what is not a prediction, or a status it does not know, for good', async () => {
      for (const body of [
        'null',
        '[]',
        '"text"',
        'not json',
        '{"status":"starting"}',
        '{"id":"p1"}',
        '{"id":1,"status":"starting"}',
      ]) {
        provider.answer(200, body);
        await failure(
          run(activities.getVideoJobStatus, { providerJobId: 'p1' }),
          'BadProviderResponse',
          'provider GET /v1/predictions/p1: not a prediction object',
          true,
        );
      }
      provider.answer(200, JSON.stringify({ id: 'p1', status: 'exploded' }));
      await failure(
        run(activities.getVideoJobStatus, { providerJobId: 'p1' }),
        'BadProviderResponse',
        'provider returned unknown status "exploded"',
        true,
      );
    });

    it('classifies HTTP errors with a one-line hint from the body', async () => {
      provider.answer(422, JSON.stringify({ detail: 'version  does\nnot exist' }));
      await failure(
        run(activities.submitVideoJob, { videoId: 'v1', tenantId: 'acme', input: {} }),
        'HttpClientError',
        'provider POST /v1/predictions: HTTP 422 version does not exist',
        true,
      );
      provider.answer(503, 'upstream\n busy');
      await failure(
        run(activities.getVideoJobStatus, { providerJobId: 'p1' }),
        'HttpTransientError',
        'provider GET /v1/predictions/p1: HTTP 503 upstream busy',
        false,
      );
    });
  });
});
