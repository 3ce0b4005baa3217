import assert from 'node:assert/strict';
import { BadRequestError, ForbiddenError, UnauthorizedError } from '../../../src/api/errors.js';
import { genericAdapter } from '../../../src/api/webhooks/generic-adapter.js';
import { signHexHmac, signTimedHexHmac } from '../../../src/api/webhooks/hmac-signature.js';
import { replicateAdapter } from '../../../src/api/webhooks/replicate-adapter.js';
import type { WebhookDelivery } from '../../../src/api/webhooks/webhook-adapter.js';
import { signUrlToken, type UrlTokenKey } from '../../../src/api/webhooks/webhook-url-token.js';
import { isValidVideoId } from '../../../src/shared/video-job.js';

function delivery(overrides: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return { rawBody: Buffer.from('{}'), headers: { 'webhook-id': 'msg_1' }, query: {}, ...overrides };
}

function badField(fn: () => unknown, field: string, problem?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof BadRequestError, `expected a 400, got ${String(err)}`);
    assert.equal(err.code, 'invalid_field');
    if (problem === undefined) assert.ok(err.message.startsWith(`${field} `), err.message);
    else assert.equal(err.message, `${field} ${problem}`);
    return true;
  });
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

describe('replicate adapter fields', () => {
  const adapter = replicateAdapter({ secrets: ['whsec_dGVzdA=='], toleranceMs: 300_000, urlTokenKeys });
  const query = routed('v1', 'acme');

  it('takes the newest of completed_at, started_at, created_at, and the output only on success', () => {
    const times = {
      created_at: '2026-01-01T00:00:00.000Z',
      started_at: '2026-01-01T00:01:00.000Z',
      completed_at: '2026-01-01T00:02:00.000Z',
    };
    const at = (body: Record<string, unknown>) =>
      adapter.normalize({ id: 'p', status: 'processing', ...body }, delivery({ query })).event.occurredAt;
    assert.equal(at(times), times.completed_at);
    assert.equal(at({ ...times, completed_at: null }), times.started_at);
    assert.equal(at({ created_at: times.created_at }), times.created_at);

    const output = 'https://cdn.example/v1.mp4';
    const event = (status: string) =>
      adapter.normalize({ id: 'p', status, output, error: 'boom' }, delivery({ query })).event;
    assert.equal(event('succeeded').downloadUrl, output);
    assert.equal(event('processing').downloadUrl, undefined, 'no output is trusted before success');
    assert.equal(event('failed').error, 'boom');
    assert.equal(
      'error' in adapter.normalize({ id: 'p', status: 'failed' }, delivery({ query })).event,
      false,
    );
  });

  it('says what is wrong with each field, in the words the 400 carries', () => {
    const normalize =
      (body: unknown, d = delivery({ query })) =>
      () =>
        adapter.normalize(body, d);
    badField(normalize({ id: 'a/b', status: 'starting' }), 'id', 'must match [A-Za-z0-9_-]{1,128}');
    badField(normalize({ id: 'p', status: 'done' }), 'status', '"done" is not a prediction status');
    badField(
      normalize({ id: 'p', status: 'starting' }, delivery({ query: { ...query, videoId: '..' } })),
      'videoId',
      'must match [A-Za-z0-9_-]{1,128}',
    );
    badField(
      normalize(
        { id: 'p', status: 'starting' },
        delivery({ query: { ...query, token: 'k1.' + 'A'.repeat(80) } }),
      ),
      'token',
      'is longer than 80 characters',
    );
    badField(
      normalize(
        { id: 'p', status: 'starting' },
        delivery({ query: { ...query, token: [query.token as string, 'x'] } }),
      ),
      'token',
      'must be given once',
    );
  });

  it('answers 401 for a URL that lacks any one of videoId, tenantId and token', () => {
    const body = { id: 'p', status: 'starting' };
    for (const lacking of ['videoId', 'tenantId', 'token']) {
      const partial = { ...query };
      delete partial[lacking];
      assert.throws(
        () => adapter.normalize(body, delivery({ query: partial })),
        (err: unknown) =>
          err instanceof UnauthorizedError &&
          err.code === 'missing_url_token' &&
          err.message ===
            'webhook URL lacks videoId, tenantId or token; use the URL Floodgate issued for the video',
        `without ${lacking}`,
      );
    }
    assert.throws(
      () => adapter.normalize(body, delivery({ query: { ...routed('v2', 'acme'), videoId: 'v1' } })),
      (err: unknown) =>
        err instanceof ForbiddenError &&
        err.code === 'bad_url_token' &&
        err.message === 'webhook URL token is not valid for this video',
    );
  });

  it('bounds and checks the signature headers before verifying', () => {
    const verify = (headers: WebhookDelivery['headers']) => () =>
      adapter.verify(delivery({ headers, query }), Date.now());
    badField(verify({ 'webhook-id': 'msg 1' }), 'webhook-id', 'must be printable ASCII without spaces');
    badField(verify({ 'webhook-id': 'm'.repeat(257) }), 'webhook-id', 'is longer than 256 characters');
    badField(
      verify({ 'webhook-id': 'msg_1', 'webhook-signature': 'v'.repeat(1025) }),
      'webhook-signature',
      'is longer than 1024 characters',
    );
    badField(verify({ 'webhook-timestamp': ['1', '2'] }), 'webhook-timestamp', 'must be given once');
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

  it('says what is wrong with each field, in the words the 400 carries', () => {
    const base = { video_id: 'v', status: 'completed' };
    const normalize = (body: unknown) => () => adapter.normalize(body, delivery());
    badField(normalize('x'), 'body', 'must be a JSON object');
    badField(normalize({ status: 'completed' }), 'video_id', 'is required');
    badField(normalize({ ...base, video_id: 7 }), 'video_id', 'must be a string');
    badField(normalize({ ...base, video_id: 'a/b' }), 'video_id', 'must match [A-Za-z0-9_-]{1,128}');
    badField(normalize({ ...base, video_id: 'x'.repeat(129) }), 'video_id', 'is longer than 128 characters');
    assert.equal(
      adapter.normalize({ ...base, video_id: 'x'.repeat(128) }, delivery()).event.videoId.length,
      128,
    );
    badField(normalize({ ...base, status: 'Lost' }), 'status', '"lost" is not a known status');
    badField(normalize({ ...base, download_url: 'ftp://x' }), 'download_url', 'must be an http(s) URL');
    badField(normalize({ ...base, occurred_at: 'yesterday' }), 'occurred_at', 'is not a date-time');
    badField(
      normalize({ ...base, metadata: { tenant_id: 'a b' } }),
      'metadata.tenant_id',
      'must match [A-Za-z0-9_-]{1,128}',
    );
    badField(normalize({ ...base, metadata: { error: 3 } }), 'metadata.error', 'must be a string');
    for (const size of [0, 1.5, '10']) {
      badField(
        normalize({ ...base, metadata: { size_bytes: size } }),
        'metadata.size_bytes',
        'must be a positive integer',
      );
    }
    badField(
      normalize({ ...base, metadata: { sha256: 'ab' } }),
      'metadata.sha256',
      'must be 64 hex characters',
    );
    badField(
      normalize({ ...base, metadata: { sha256: 'g'.repeat(64) } }),
      'metadata.sha256',
      'must be 64 hex characters',
    );
    badField(
      normalize({ ...base, metadata: { sha256: 'a'.repeat(65) } }),
      'metadata.sha256',
      'is longer than 64 characters',
    );
    badField(normalize({ ...base, event_id: 'e 1' }), 'event_id', 'must be printable ASCII without spaces');
  });

  it('carries every field it reads into the event, and nothing it was not sent', () => {
    const checksum = 'AB'.repeat(32);
    const full = adapter.normalize(
      {
        video_id: 'v1',
        status: 'FAILED',
        event_id: 'e-1',
        occurred_at: '2026-01-02T03:04:05.000Z',
        metadata: { tenant_id: 't1', plan: 'paid', size_bytes: 1, sha256: checksum, error: 'in metadata' },
      },
      delivery(),
    );
    assert.deepEqual(full, {
      tenantId: 't1',
      plan: 'paid',
      event: {
        eventId: 'e-1',
        videoId: 'v1',
        status: 'failed',
        occurredAt: '2026-01-02T03:04:05.000Z',
        error: 'in metadata',
        sizeBytes: 1,
        checksumSha256: 'ab'.repeat(32),
      },
    });
    const topError = adapter.normalize(
      { video_id: 'v1', status: 'error', error: 'on top', metadata: { error: 'in metadata' } },
      delivery(),
    );
    assert.equal(topError.event.error, 'on top', "the body's own error wins over metadata.error");

    const bare = adapter.normalize({ video_id: 'v1', status: 'queued', metadata: null }, delivery());
    assert.deepEqual(Object.keys(bare.event).sort(), ['eventId', 'occurredAt', 'status', 'videoId']);
    assert.deepEqual([bare.tenantId, bare.plan, bare.event.status], ['unknown', 'free', 'starting']);
    for (const plan of ['free', 'PAID', 'gold']) {
      const { plan: got } = adapter.normalize(
        { video_id: 'v1', status: 'queued', metadata: { plan } },
        delivery(),
      );
      assert.equal(got, 'free', `plan ${plan}`);
    }
  });
});

describe('generic adapter signatures', () => {
  const secrets = ['generic-secret'];
  const nowMs = 1_700_000_000_000;
  const ts = String(nowMs / 1000);
  const rawBody = Buffer.from('{"video_id":"v1","status":"completed"}');
  const timed = genericAdapter({ secrets, toleranceMs: 300_000, legacyUntimed: false });
  const legacy = genericAdapter({ secrets, toleranceMs: 300_000, legacyUntimed: true });
  const signedDelivery = (headers: WebhookDelivery['headers']) => delivery({ rawBody, headers });
  const refused = (fn: () => void, code: string) =>
    assert.throws(fn, (err: unknown) => err instanceof UnauthorizedError && err.code === code);

  it('takes the timed signature, and the body-only one only when legacy is on and no timestamp came', () => {
    const timedHeaders = {
      'x-signature': signTimedHexHmac(secrets[0]!, ts, rawBody),
      'x-signature-timestamp': ts,
    };
    const untimedHeaders = { 'x-signature': signHexHmac(secrets[0]!, rawBody) };
    assert.doesNotThrow(() => timed.verify(signedDelivery(timedHeaders), nowMs));
    assert.doesNotThrow(() => legacy.verify(signedDelivery(timedHeaders), nowMs));
    assert.doesNotThrow(() => legacy.verify(signedDelivery(untimedHeaders), nowMs));
    // A header that arrives as a list of one is that one value.
    assert.doesNotThrow(() =>
      timed.verify(signedDelivery({ ...timedHeaders, 'x-signature': [timedHeaders['x-signature']] }), nowMs),
    );
    refused(() => timed.verify(signedDelivery(untimedHeaders), nowMs), 'missing_signature');
    // With a timestamp, legacy mode still wants the timed signature: the untimed one is no downgrade path.
    refused(
      () => legacy.verify(signedDelivery({ ...untimedHeaders, 'x-signature-timestamp': ts }), nowMs),
      'bad_signature',
    );
  });

  it('bounds X-Signature before any HMAC, in either mode', () => {
    for (const adapter of [timed, legacy]) {
      badField(
        () => adapter.verify(signedDelivery({ 'x-signature': 'a'.repeat(129) }), nowMs),
        'x-signature',
        'is longer than 128 characters',
      );
    }
  });

  it('is the source named generic, and the replicate adapter the one named replicate', () => {
    assert.equal(timed.source, 'generic');
    assert.equal(replicateAdapter({ secrets: [], toleranceMs: 1, urlTokenKeys }).source, 'replicate');
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
