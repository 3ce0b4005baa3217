import assert from 'node:assert/strict';
import { BadRequestError, ForbiddenError, UnauthorizedError } from '../../../src/api/errors.js';
import { genericAdapter } from '../../../src/api/webhooks/generic-adapter.js';
import { replicateAdapter } from '../../../src/api/webhooks/replicate-adapter.js';
import type { WebhookDelivery } from '../../../src/api/webhooks/webhook-adapter.js';
import { signUrlToken, type UrlTokenKey } from '../../../src/api/webhooks/webhook-url-token.js';
import { isValidVideoId } from '../../../src/shared/video-job.js';

function delivery(overrides: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return { rawBody: Buffer.from('{}'), headers: { 'webhook-id': 'msg_1' }, query: {}, ...overrides };
}

function badField(fn: () => unknown, field: string): void {
  assert.throws(fn, (err: unknown) => err instanceof BadRequestError && err.message.startsWith(`${field} `));
}

const urlTokenKeys: UrlTokenKey[] = [{ id: 'k1', secret: 'unit-test-url-key-0123' }];

/** The query of the URL Floodgate issues for this video and tenant. */
function routed(videoId: string, tenantId: string): WebhookDelivery['query'] {
  return { videoId, tenantId, token: signUrlToken(urlTokenKeys, videoId, tenantId) };
}

describe('replicate adapter', () => {
  const adapter = replicateAdapter({ secrets: ['whsec_dGVzdA=='], toleranceMs: 300_000, urlTokenKeys });

  it('routes by the videoId Floodgate put on the URL and takes the event id from webhook-id', () => {
    const { event, tenantId } = adapter.normalize(
      {
        id: 'pred1',
        status: 'succeeded',
        output: ['https://cdn.example/a.mp4', 'https://cdn.example/b.mp4'],
      },
      delivery({ query: routed('vid-42', 'acme') }),
    );
    assert.equal(event.videoId, 'vid-42');
    assert.equal(event.providerJobId, 'pred1');
    assert.equal(event.eventId, 'msg_1');
    assert.equal(event.downloadUrl, 'https://cdn.example/a.mp4');
    assert.equal(tenantId, 'acme');
  });

  it('takes no URL without its token (401) and no token of another video or tenant (403)', () => {
    const body = { id: 'pred2', status: 'starting' };
    const refused = (query: WebhookDelivery['query'], type: typeof UnauthorizedError) =>
      assert.throws(() => adapter.normalize(body, delivery({ query })), type);
    refused({}, UnauthorizedError);
    refused({ videoId: 'v1', tenantId: 'acme' }, UnauthorizedError);
    refused({ ...routed('v2', 'acme'), videoId: 'v1' }, ForbiddenError);
    refused({ ...routed('v1', 'acme'), tenantId: 'globex' }, ForbiddenError);
    refused({ ...routed('v1', 'acme'), token: 'k9.' + 'A'.repeat(43) }, ForbiddenError);
    const { event, plan } = adapter.normalize(body, delivery({ query: routed('v1', 'acme') }));
    assert.deepEqual([event.videoId, plan], ['v1', 'free']);
  });

  it('names the field it cannot use', () => {
    badField(() => adapter.normalize([], delivery()), 'body');
    badField(() => adapter.normalize({ status: 'starting' }, delivery()), 'id');
    badField(() => adapter.normalize({ id: 'p', status: 42 }, delivery()), 'status');
    badField(() => adapter.normalize({ id: 'p', status: 'done' }, delivery()), 'status');
    badField(() => adapter.normalize({ id: 'a/b', status: 'starting' }, delivery()), 'id');
    badField(
      () =>
        adapter.normalize(
          { id: 'p', status: 'starting' },
          delivery({ query: { ...routed('v', 't'), videoId: '..' } }),
        ),
      'videoId',
    );
    badField(
      () =>
        adapter.normalize(
          { id: 'p', status: 'starting' },
          delivery({ query: { ...routed('v', 't'), tenantId: 'a b' } }),
        ),
      'tenantId',
    );
  });
});

describe('generic adapter', () => {
  const adapter = genericAdapter({ secrets: ['s'], toleranceMs: 300_000, legacyUntimed: false });

  it('maps the original body and falls back to a body hash for the event id', () => {
    const raw = Buffer.from('{"video_id":"v1","status":"completed"}');
    const a = adapter.normalize(
      {
        video_id: 'v1',
        status: 'completed',
        download_url: 'https://cdn.example/v1.mp4',
        metadata: { tenant_id: 't1' },
      },
      delivery({ rawBody: raw }),
    );
    assert.equal(a.event.status, 'succeeded');
    assert.equal(a.tenantId, 't1');
    assert.match(a.event.eventId, /^sha256:[0-9a-f]{64}$/);
    const b = adapter.normalize({ video_id: 'v1', status: 'completed' }, delivery({ rawBody: raw }));
    assert.equal(a.event.eventId, b.event.eventId, 'a byte-identical redelivery is the same event');
    const c = adapter.normalize({ video_id: 'v1', status: 'processing', event_id: 'e-7' }, delivery());
    assert.equal(c.event.eventId, 'e-7');
  });

  it('names the field it cannot use', () => {
    badField(() => adapter.normalize({ status: 'completed' }, delivery()), 'video_id');
    badField(() => adapter.normalize({ video_id: 'v', status: 'lost' }, delivery()), 'status');
    badField(
      () => adapter.normalize({ video_id: 'v', status: 'completed', download_url: 'ftp://x' }, delivery()),
      'download_url',
    );
    badField(
      () => adapter.normalize({ video_id: 'v', status: 'completed', metadata: 'x' }, delivery()),
      'metadata',
    );
    badField(
      () =>
        adapter.normalize({ video_id: 'v', status: 'completed', metadata: { size_bytes: -1 } }, delivery()),
      'metadata.size_bytes',
    );
  });
});

describe('video id validation', () => {
  it('accepts ids that are safe file names and nothing else', () => {
    for (const ok of ['a', 'pred_123-ABC', 'x'.repeat(128), 'f3b2c1d0-aaaa-bbbb-cccc-000000000000']) {
      assert.ok(isValidVideoId(ok), ok);
    }
    for (const bad of [
      '',
      '.',
      '..',
      '../x',
      'a/b',
      'a\\b',
      'a b',
      'a.mp4',
      'x'.repeat(129),
      'é',
      'a\0',
      42,
      null,
    ]) {
      assert.ok(!isValidVideoId(bad), String(bad));
    }
  });
});
