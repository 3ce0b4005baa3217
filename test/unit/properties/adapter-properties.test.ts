import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AppError, BadRequestError } from '../../../src/api/errors.js';
import { FIELD_LIMITS } from '../../../src/api/field-limits.js';
import { genericAdapter } from '../../../src/api/webhooks/generic-adapter.js';
import { replicateAdapter } from '../../../src/api/webhooks/replicate-adapter.js';
import type { WebhookAdapter, WebhookDelivery } from '../../../src/api/webhooks/webhook-adapter.js';
import { signUrlToken, type UrlTokenKey } from '../../../src/api/webhooks/webhook-url-token.js';

const urlTokenKeys: UrlTokenKey[] = [{ id: 'k1', secret: 'property-test-url-key' }];
const replicate = replicateAdapter({
  secrets: ['whsec_dGVzdC1zZWNyZXQ='],
  toleranceMs: 300_000,
  urlTokenKeys,
});
const generic = genericAdapter({ secrets: ['test-secret'], toleranceMs: 300_000, legacyUntimed: false });
const genericLegacy = genericAdapter({ secrets: ['test-secret'], toleranceMs: 300_000, legacyUntimed: true });

const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,128}$/);
const messageId = fc.stringMatching(/^[\x21-\x7e]{1,256}$/);
const providerStatus = fc.constantFrom('starting', 'processing', 'succeeded', 'failed', 'canceled');
const url = fc.webUrl({ validSchemes: ['http', 'https'] }).filter((u) => u.length <= FIELD_LIMITS.url);
const isoTime = fc
  .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
  .map((d) => d.toISOString());
const errorText = fc.string({ maxLength: FIELD_LIMITS.errorText });

const headerValue = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.array(fc.string({ maxLength: 40 }), { maxLength: 3 }),
);
const hostileDelivery = fc.record({
  rawBody: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  headers: fc.dictionary(
    fc.constantFrom(
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
      'x-signature',
      'x-signature-timestamp',
      'content-type',
    ),
    headerValue,
  ),
  query: fc.dictionary(fc.constantFrom('videoId', 'tenantId', 'token', 'other'), headerValue),
});

/** Anything JSON.parse could return, with the adapters' field names mixed in often. */
const hostileBody = fc.oneof(
  fc.jsonValue(),
  fc.dictionary(
    fc.constantFrom(
      'id',
      'status',
      'output',
      'error',
      'created_at',
      'completed_at',
      'video_id',
      'download_url',
      'metadata',
      'event_id',
      'occurred_at',
    ),
    fc.oneof(fc.jsonValue(), fc.string({ maxLength: 3000 }), providerStatus, id),
  ),
);

/** The only failures an adapter may throw: the API's own 400, 401 or 403, never a TypeError or a 500. */
function onlyClientErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AppError, `threw ${String(err)}`);
    assert.ok([400, 401, 403].includes(err.status), `answered ${err.status}`);
  }
}

describe('webhook adapters (properties)', () => {
  it('replicate: any well-formed prediction normalises to its event', () => {
    const prediction = fc.record(
      {
        id,
        status: providerStatus,
        output: fc.oneof(url, fc.array(url, { minLength: 1, maxLength: 3 })),
        error: fc.option(errorText, { nil: null }),
        created_at: isoTime,
        completed_at: isoTime,
      },
      { requiredKeys: ['id', 'status'] },
    );
    const query = fc.record({ videoId: id, tenantId: id });
    fc.assert(
      fc.property(prediction, query, messageId, (p, q, msg) => {
        const delivery: WebhookDelivery = {
          rawBody: Buffer.alloc(0),
          headers: { 'webhook-id': msg },
          query: { ...q, token: signUrlToken(urlTokenKeys, q.videoId, q.tenantId) },
        };
        const { event, tenantId } = replicate.normalize(p, delivery);
        assert.equal(event.eventId, msg);
        assert.equal(event.videoId, q.videoId);
        assert.equal(event.status, p.status);
        assert.equal(event.providerJobId, p.id);
        assert.equal(tenantId, q.tenantId);
        if (p.status === 'succeeded' && p.output !== undefined)
          assert.equal(event.downloadUrl, Array.isArray(p.output) ? p.output[0] : p.output);
        assert.equal(event.error, p.error || undefined);
        assert.ok(!Number.isNaN(Date.parse(event.occurredAt)));
      }),
    );
  });

  it('generic: any well-formed event normalises to its event', () => {
    const event = fc.record(
      {
        video_id: id,
        status: fc.constantFrom(
          'starting',
          'processing',
          'succeeded',
          'failed',
          'canceled',
          'queued',
          'completed',
        ),
        download_url: url,
        event_id: messageId,
        occurred_at: isoTime,
        error: errorText,
        metadata: fc.record(
          { tenant_id: id, plan: fc.constantFrom('paid', 'free'), size_bytes: fc.integer({ min: 1 }) },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ['video_id', 'status'] },
    );
    fc.assert(
      fc.property(event, (e) => {
        const raw = Buffer.from(JSON.stringify(e));
        const normalized = generic.normalize(e, { rawBody: raw, headers: {}, query: {} });
        assert.equal(normalized.event.videoId, e.video_id);
        assert.equal(normalized.tenantId, e.metadata?.tenant_id ?? 'unknown');
        assert.equal(normalized.event.downloadUrl, e.download_url);
        if (e.event_id) assert.equal(normalized.event.eventId, e.event_id);
        else assert.match(normalized.event.eventId, /^sha256:[0-9a-f]{64}$/);
      }),
    );
  });

  for (const [adapter, variant] of [
    [replicate, ''],
    [generic, ''],
    [genericLegacy, ' (legacy untimed on)'],
  ] as Array<[WebhookAdapter, string]>) {
    it(`${adapter.source}${variant}: any other input is a 400 or 401, never another kind of throw`, () => {
      fc.assert(
        fc.property(hostileBody, hostileDelivery, (body, delivery) => {
          onlyClientErrors(() => adapter.verify(delivery, Date.now()));
          onlyClientErrors(() => adapter.normalize(body, delivery));
        }),
        { numRuns: 500 },
      );
    });
  }

  it('a string over its field limit is a 400 naming that field', () => {
    const cases: Array<[WebhookAdapter, string, (v: string) => unknown, number]> = [
      [replicate, 'id', (v) => ({ id: v, status: 'starting' }), FIELD_LIMITS.id],
      [replicate, 'error', (v) => ({ id: 'p1', status: 'failed', error: v }), FIELD_LIMITS.errorText],
      [
        replicate,
        'output',
        (v) => ({ id: 'p1', status: 'succeeded', output: `https://a.example/${v}` }),
        FIELD_LIMITS.url,
      ],
      [generic, 'video_id', (v) => ({ video_id: v, status: 'starting' }), FIELD_LIMITS.id],
      [
        generic,
        'event_id',
        (v) => ({ video_id: 'v1', status: 'starting', event_id: v }),
        FIELD_LIMITS.eventId,
      ],
      [
        generic,
        'metadata.tenant_id',
        (v) => ({ video_id: 'v1', status: 'starting', metadata: { tenant_id: v } }),
        FIELD_LIMITS.id,
      ],
      [
        generic,
        'occurred_at',
        (v) => ({ video_id: 'v1', status: 'starting', occurred_at: v }),
        FIELD_LIMITS.timestamp,
      ],
    ];
    for (const [adapter, field, build, limit] of cases) {
      fc.assert(
        fc.property(fc.integer({ min: limit + 1, max: limit * 4 }), (length) => {
          const delivery = { rawBody: Buffer.alloc(0), headers: { 'webhook-id': 'msg_1' }, query: {} };
          assert.throws(
            () => adapter.normalize(build('a'.repeat(length)), delivery),
            (err: unknown) => err instanceof BadRequestError && err.message.startsWith(`${field} `),
            `${adapter.source} ${field} of ${length}`,
          );
        }),
        { numRuns: 20 },
      );
    }
  });
});
