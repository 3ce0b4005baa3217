import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { FIELD_LIMITS } from '../../src/api/field-limits.js';
import { passwordResetWorkflowId } from '../../src/api/password-reset-id.js';
import { videoWebhookUrl } from '../../src/api/webhooks/video-webhook-url.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/** Small so that the 413 case is cheap, above the largest field limit so that each 400 is reached. */
const BODY_LIMIT = 32 * 1024;

interface Sent {
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Send the test API key (the product backend's routes). */
  apiKey?: boolean;
}

interface HostileCase {
  name: string;
  status: number;
  /** For a 400: the field its message must start with. */
  field?: string;
  send(stack: TestStack): Sent;
  /** A workflow the request would have started had it been accepted: it must not exist. */
  workflowId?(stack: TestStack): string;
}

/** Standard Webhooks signing written out here, apart from the code under test. */
function standardSignature(secret: string, id: string, ts: string, raw: Buffer): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(`${id}.${ts}.`), raw]))
    .digest('base64')}`;
}

const now = () => String(Math.floor(Date.now() / 1000));
const bytes = (body: unknown) =>
  Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
const notUtf8 = (prefix: string, suffix: string) =>
  Buffer.concat([Buffer.from(prefix), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(suffix)]);

let seq = 0;

/** The query of the webhook URL Floodgate issues for this video (tenant `acme`, token included). */
function issuedQuery(stack: TestStack, videoId: string, tenantId = 'acme'): string {
  return new URL(
    videoWebhookUrl(stack.apiUrl, stack.config.webhooks.urlTokenKeys, videoId, tenantId),
  ).search.slice(1);
}

/** A replicate delivery, correctly signed over exactly the bytes sent unless the case says otherwise. */
function replicate(
  name: string,
  status: number,
  field: string | undefined,
  opts: {
    body?: unknown;
    /** The URL's query; a function gets the case's video id. Default: the video's issued URL. */
    query?: string | ((stack: TestStack, videoId: string) => string);
    id?: string | null;
    /** A function is read at send time: the table is built when mocha loads the file. */
    ts?: string | null | (() => string);
    signature?: (real: string) => string | null;
    contentType?: string | null;
    afterSigning?: (raw: Buffer) => Buffer;
    source?: string;
  } = {},
): HostileCase {
  const videoId = `hostile-r${++seq}`;
  return {
    name: `replicate: ${name} → ${status}`,
    status,
    field,
    workflowId: () => `video-${videoId}`,
    send(stack) {
      const raw = bytes(opts.body ?? { id: videoId, status: 'processing', output: null, error: null });
      const id = opts.id === undefined ? `msg_${videoId}` : opts.id;
      const ts = opts.ts === undefined ? now() : typeof opts.ts === 'function' ? opts.ts() : opts.ts;
      const real = standardSignature(stack.config.webhooks.replicateSecrets[0]!, id ?? '', ts ?? '', raw);
      const signature = opts.signature ? opts.signature(real) : real;
      const headers: Record<string, string> = {};
      if (opts.contentType !== null) headers['content-type'] = opts.contentType ?? 'application/json';
      if (id !== null) headers['webhook-id'] = id;
      if (ts !== null) headers['webhook-timestamp'] = ts;
      if (signature !== null) headers['webhook-signature'] = signature;
      return {
        path: `/webhooks/${opts.source ?? 'replicate'}?${
          typeof opts.query === 'function'
            ? opts.query(stack, videoId)
            : (opts.query ?? issuedQuery(stack, videoId))
        }`,
        headers,
        body: opts.afterSigning ? opts.afterSigning(raw) : raw,
      };
    },
  };
}

/**
 * A generic delivery with a hex HMAC over `<X-Signature-Timestamp>.` and exactly the bytes sent,
 * unless the case says otherwise.
 */
function generic(
  name: string,
  status: number,
  field: string | undefined,
  opts: {
    body?: (videoId: string) => unknown;
    signature?: (real: string, raw: Buffer, secret: string) => string | null;
    /** A function is read at send time, as for replicate. */
    ts?: string | null | (() => string);
    /** Sign over this timestamp instead of the one sent. */
    signedTs?: () => string;
  } = {},
): HostileCase {
  const videoId = `hostile-g${++seq}`;
  return {
    name: `generic: ${name} → ${status}`,
    status,
    field,
    workflowId: () => `video-${videoId}`,
    send(stack) {
      const raw = bytes(opts.body ? opts.body(videoId) : { video_id: videoId, status: 'processing' });
      const ts = opts.ts === undefined ? now() : typeof opts.ts === 'function' ? opts.ts() : opts.ts;
      const secret = stack.config.webhooks.genericSecrets[0]!;
      const real = createHmac('sha256', secret)
        .update(Buffer.concat([Buffer.from(`${opts.signedTs?.() ?? ts ?? ''}.`), raw]))
        .digest('hex');
      const signature = opts.signature ? opts.signature(real, raw, secret) : real;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (signature !== null) headers['x-signature'] = signature;
      if (ts !== null) headers['x-signature-timestamp'] = ts;
      return { path: '/webhooks/generic', headers, body: raw };
    },
  };
}

function api(
  name: string,
  status: number,
  field: string | undefined,
  sent: Sent,
  workflowId?: (stack: TestStack) => string,
): HostileCase {
  return {
    name: `${sent.method ?? 'POST'} ${sent.path.split('?')[0]!.replace(/a{100,}/, ':id')}: ${name} → ${status}`,
    status,
    field,
    workflowId,
    send: () => ({ apiKey: true, ...sent, headers: { 'content-type': 'application/json', ...sent.headers } }),
  };
}

const long = (n: number, c = 'a') => c.repeat(n);
const prediction = (videoId: string, extra: Record<string, unknown>) => ({
  id: videoId,
  status: 'processing',
  ...extra,
});
const resetWorkflow = (userId: string) => (stack: TestStack) =>
  passwordResetWorkflowId(userId, stack.config.passwordReset.idKey);
const videoPost = (body: unknown): Sent => ({ path: '/videos', body: bytes(body) });
const resetPost = (body: unknown): Sent => ({ path: '/password-resets', body: bytes(body) });

const CASES: HostileCase[] = [
  // Signature headers, bounded before any HMAC runs over them.
  replicate('a 10 KB webhook-id, correctly signed', 400, 'webhook-id', { id: `msg_${long(10 * 1024)}` }),
  replicate(`a webhook-id one over ${FIELD_LIMITS.webhookId}`, 400, 'webhook-id', {
    id: long(FIELD_LIMITS.webhookId + 1),
  }),
  replicate('a webhook-id with a space', 400, 'webhook-id', { id: 'msg one' }),
  replicate('a webhook-id with a Latin-1 byte', 400, 'webhook-id', { id: 'msg_caf\u00e9' }),
  replicate('a 2 KB webhook-signature', 400, 'webhook-signature', {
    signature: (s) => `${s} ${long(2048, 'A')}`,
  }),
  replicate('no webhook-id', 401, undefined, { id: null }),
  replicate('no webhook-timestamp', 401, undefined, { ts: null }),
  replicate('no webhook-signature', 401, undefined, { signature: () => null }),
  replicate('a timestamp 10 minutes old', 401, undefined, {
    ts: () => String(Math.floor(Date.now() / 1000) - 600),
  }),
  replicate('a timestamp 10 minutes ahead', 401, undefined, {
    ts: () => String(Math.floor(Date.now() / 1000) + 600),
  }),
  replicate('a timestamp that is not a number', 401, undefined, { ts: 'yesterday' }),
  replicate('a 20-digit timestamp', 401, undefined, { ts: long(20, '9') }),
  replicate('a signature made with another secret', 401, undefined, {
    signature: () => standardSignature('whsec_b3RoZXItc2VjcmV0LW90aGVy', 'x', now(), Buffer.from('{}')),
  }),
  replicate('only a v2 signature', 401, undefined, { signature: (s) => s.replace(/^v1,/, 'v2,') }),
  replicate('an empty v1 signature', 401, undefined, { signature: () => 'v1,' }),
  replicate('one body byte changed after signing', 401, undefined, {
    afterSigning: (raw) => Buffer.from(raw.toString().replace('processing', 'succeeded')),
  }),
  // The body: bytes, then JSON, then fields.
  replicate('a body that is not UTF-8, correctly signed', 400, 'body', {
    body: notUtf8('{"id":"p1","status":"processing","x":"', '"}'),
  }),
  replicate('a body that is not JSON', 400, 'body', { body: 'id=1&status=processing' }),
  replicate('an empty body', 400, 'body', { body: '' }),
  replicate('a truncated JSON body', 400, 'body', { body: '{"id":"p1","status":' }),
  replicate('a JSON array', 400, 'body', { body: [1, 2, 3] }),
  replicate('a JSON string', 400, 'body', { body: '"processing"' }),
  replicate('JSON null', 400, 'body', { body: 'null' }),
  replicate('an object nested 2,000 levels deep', 400, 'id', {
    body: `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`,
  }),
  replicate('no prediction id', 400, 'id', { body: { status: 'processing' } }),
  replicate('a numeric prediction id', 400, 'id', { body: { id: 42, status: 'processing' } }),
  replicate(`a prediction id of ${FIELD_LIMITS.id + 1} characters`, 400, 'id', {
    body: { id: long(FIELD_LIMITS.id + 1), status: 'processing' },
  }),
  replicate('a prediction id with path characters', 400, 'id', {
    body: { id: '../../etc/passwd', status: 'processing' },
  }),
  replicate('an unknown status', 400, 'status', { body: { id: 'p1', status: 'exploded' } }),
  replicate('a 10 KB status', 400, 'status', { body: { id: 'p1', status: long(10 * 1024) } }),
  replicate('a numeric status', 400, 'status', { body: { id: 'p1', status: 3 } }),
  replicate(`a videoId of ${FIELD_LIMITS.id + 1} characters`, 400, 'videoId', {
    query: `videoId=${long(FIELD_LIMITS.id + 1)}`,
  }),
  replicate('a videoId with a slash', 400, 'videoId', { query: 'videoId=a%2Fb' }),
  replicate('videoId given twice', 400, 'videoId', { query: 'videoId=one&videoId=two' }),
  replicate('a 1 KB tenantId', 400, 'tenantId', { query: `videoId=t1&tenantId=${long(1024)}` }),
  replicate('a tenantId with a quote (query injection)', 400, 'tenantId', {
    query: 'videoId=t2&tenantId=a%22%20OR%20%22',
  }),
  replicate('a URL without its token', 401, undefined, { query: (_, v) => `videoId=${v}&tenantId=acme` }),
  replicate('a URL without videoId (the old prediction-id fallback)', 401, undefined, { query: '' }),
  replicate("another video's token on this video's URL (a replayed delivery)", 403, undefined, {
    query: (stack, v) => issuedQuery(stack, 'someone-else').replace('someone-else', v),
  }),
  replicate("this video's token with another tenant", 403, undefined, {
    query: (stack, v) => issuedQuery(stack, v).replace('tenantId=acme', 'tenantId=globex'),
  }),
  replicate('a token given twice', 400, 'token', {
    query: (stack, v) => `${issuedQuery(stack, v)}&token=x`,
  }),
  replicate('a 1 KB token', 400, 'token', {
    query: (_, v) => `videoId=${v}&tenantId=acme&token=${long(1024)}`,
  }),
  replicate('a javascript: output URL', 400, 'output', {
    body: { id: 'p1', status: 'succeeded', output: 'javascript:alert(1)' },
  }),
  replicate('a 3 KB output URL', 400, 'output', {
    body: { id: 'p1', status: 'succeeded', output: [`https://cdn.example/${long(3072)}`] },
  }),
  replicate('an output that is not a URL', 400, 'output', {
    body: { id: 'p1', status: 'succeeded', output: 'not a url' },
  }),
  replicate(`an error text over ${FIELD_LIMITS.errorText} characters`, 400, 'error', {
    body: { id: 'p1', status: 'failed', error: long(FIELD_LIMITS.errorText + 1) },
  }),
  replicate('an error that is an object', 400, 'error', {
    body: { id: 'p1', status: 'failed', error: { nested: true } },
  }),
  replicate('a created_at that is not a date', 400, 'created_at', {
    body: prediction('p1', { created_at: 'yesterday' }),
  }),
  replicate('a 100-character created_at', 400, 'created_at', {
    body: prediction('p1', { created_at: long(100, '9') }),
  }),
  replicate('content-type text/plain', 415, undefined, { contentType: 'text/plain' }),
  replicate('no content-type', 415, undefined, { contentType: null }),
  replicate(`a body over ${BODY_LIMIT} bytes`, 413, undefined, {
    body: { id: 'p1', status: 'processing', pad: long(BODY_LIMIT) },
  }),
  replicate('an unknown source', 404, undefined, { source: 'nobody' }),

  generic('no X-Signature', 401, undefined, { signature: () => null }),
  generic('no X-Signature-Timestamp', 401, undefined, { ts: null }),
  generic('an untimed (body-only) X-Signature, legacy scheme off', 401, undefined, {
    ts: null,
    signature: (_real, raw, secret) => createHmac('sha256', secret).update(raw).digest('hex'),
  }),
  generic('an X-Signature-Timestamp 10 minutes old', 401, undefined, {
    ts: () => String(Math.floor(Date.now() / 1000) - 600),
  }),
  generic('an X-Signature-Timestamp 10 minutes ahead', 401, undefined, {
    ts: () => String(Math.floor(Date.now() / 1000) + 600),
  }),
  generic('an X-Signature-Timestamp that is not a number', 401, undefined, { ts: 'yesterday' }),
  generic('a signature moved to another timestamp', 401, undefined, {
    signedTs: () => String(Math.floor(Date.now() / 1000) - 5),
  }),
  generic('a 200-character X-Signature', 400, 'x-signature', { signature: (s) => `${s}${long(136, '0')}` }),
  generic('an X-Signature that is not hex', 401, undefined, { signature: () => long(64, 'z') }),
  generic('a signature made with another secret', 401, undefined, {
    signature: () => createHmac('sha256', 'not-the-secret').update('{}').digest('hex'),
  }),
  generic(`a video_id of ${FIELD_LIMITS.id + 1} characters`, 400, 'video_id', {
    body: () => ({ video_id: long(FIELD_LIMITS.id + 1), status: 'processing' }),
  }),
  generic('a path-traversal video_id', 400, 'video_id', {
    body: () => ({ video_id: '../../etc/passwd', status: 'completed' }),
  }),
  generic('an unknown status', 400, 'status', { body: (v) => ({ video_id: v, status: 'exploded' }) }),
  generic(`an event_id of ${FIELD_LIMITS.eventId + 1} characters`, 400, 'event_id', {
    body: (v) => ({ video_id: v, status: 'processing', event_id: long(FIELD_LIMITS.eventId + 1) }),
  }),
  generic('an empty event_id', 400, 'event_id', {
    body: (v) => ({ video_id: v, status: 'processing', event_id: '' }),
  }),
  generic('an event_id with spaces', 400, 'event_id', {
    body: (v) => ({ video_id: v, status: 'processing', event_id: 'a b' }),
  }),
  generic('an ftp download_url', 400, 'download_url', {
    body: (v) => ({ video_id: v, status: 'completed', download_url: 'ftp://files.example/a.mp4' }),
  }),
  generic('a 3 KB download_url', 400, 'download_url', {
    body: (v) => ({ video_id: v, status: 'completed', download_url: `https://cdn.example/${long(3072)}` }),
  }),
  generic('a 500-character metadata.tenant_id', 400, 'metadata.tenant_id', {
    body: (v) => ({ video_id: v, status: 'processing', metadata: { tenant_id: long(500) } }),
  }),
  generic('metadata as an array', 400, 'metadata', {
    body: (v) => ({ video_id: v, status: 'processing', metadata: [] }),
  }),
  generic('a negative metadata.size_bytes', 400, 'metadata.size_bytes', {
    body: (v) => ({ video_id: v, status: 'completed', metadata: { size_bytes: -1 } }),
  }),
  generic('a metadata.sha256 that is not hex', 400, 'metadata.sha256', {
    body: (v) => ({ video_id: v, status: 'completed', metadata: { sha256: long(64, 'z') } }),
  }),
  generic('an occurred_at that is not a date', 400, 'occurred_at', {
    body: (v) => ({ video_id: v, status: 'processing', occurred_at: 'soon' }),
  }),
  generic(`an error text over ${FIELD_LIMITS.errorText} characters`, 400, 'error', {
    body: (v) => ({ video_id: v, status: 'failed', error: long(FIELD_LIMITS.errorText + 1) }),
  }),
  generic('a body that is not UTF-8, correctly signed', 400, 'body', {
    body: (v) => notUtf8(`{"video_id":"${v}","status":"processing","x":"`, '"}'),
  }),

  api('no API key', 401, undefined, { ...videoPost({ tenantId: 'acme' }), apiKey: false }),
  api(
    `a tenantId of ${FIELD_LIMITS.id + 1} characters`,
    400,
    'tenantId',
    videoPost({ tenantId: long(FIELD_LIMITS.id + 1) }),
  ),
  api('a tenantId with spaces', 400, 'tenantId', videoPost({ tenantId: 'acme corp' })),
  api('a 256-character Idempotency-Key', 400, 'Idempotency-Key', {
    ...videoPost({ tenantId: 'acme' }),
    headers: { 'idempotency-key': long(256) },
  }),
  api('an empty Idempotency-Key', 400, 'Idempotency-Key', {
    ...videoPost({ tenantId: 'acme' }),
    headers: { 'idempotency-key': '' },
  }),
  api('a plan that does not exist', 400, 'plan', videoPost({ tenantId: 'acme', plan: 'gold' })),
  api(
    `an input over ${FIELD_LIMITS.videoInputBytes} bytes`,
    400,
    'input',
    videoPost({ tenantId: 'acme', input: { prompt: long(FIELD_LIMITS.videoInputBytes) } }),
  ),
  api('an input that is an array', 400, 'input', videoPost({ tenantId: 'acme', input: ['a'] })),
  api(
    'a 400-character requesterEmail',
    400,
    'requesterEmail',
    videoPost({ tenantId: 'acme', requesterEmail: `${long(390)}@example.com` }),
  ),
  api('a body that is not UTF-8', 400, 'body', { path: '/videos', body: notUtf8('{"tenantId":"', '"}') }),
  api('content-type text/plain', 415, undefined, {
    ...videoPost({ tenantId: 'acme' }),
    headers: { 'content-type': 'text/plain' },
  }),
  api(`a video id of ${FIELD_LIMITS.id + 1} characters`, 400, 'video id', {
    path: `/videos/${long(FIELD_LIMITS.id + 1)}`,
    method: 'GET',
  }),
  api('a limit that is not a number', 400, 'limit', { path: '/videos?limit=abc', method: 'GET' }),
  api('a limit of 100000', 400, 'limit', { path: '/videos?limit=100000', method: 'GET' }),
  api('a 100-character status', 400, 'status', { path: `/videos?status=${long(100)}`, method: 'GET' }),
  api('a tenantId with a quote (query injection)', 400, 'tenantId', {
    path: '/videos?tenantId=a%22%20OR%20%22',
    method: 'GET',
  }),
  api('a retry of an invalid video id', 400, 'video id', { path: `/videos/${long(200)}/retry`, body: '{}' }),

  api(
    `a userId of ${FIELD_LIMITS.userId + 1} characters`,
    400,
    'userId',
    resetPost({ userId: long(FIELD_LIMITS.userId + 1), email: 'a@example.com' }),
    resetWorkflow(long(FIELD_LIMITS.userId + 1)),
  ),
  api(
    'an empty userId',
    400,
    'userId',
    resetPost({ userId: '  ', email: 'a@example.com' }),
    resetWorkflow(''),
  ),
  api(
    'a numeric userId',
    400,
    'userId',
    resetPost({ userId: 42, email: 'a@example.com' }),
    resetWorkflow('42'),
  ),
  api(
    'an email without @',
    400,
    'email',
    resetPost({ userId: 'u-h1', email: 'not-an-address' }),
    resetWorkflow('u-h1'),
  ),
  api(
    `an email over ${FIELD_LIMITS.email} characters`,
    400,
    'email',
    resetPost({ userId: 'u-h2', email: `${long(64)}@${long(300)}.com` }),
    resetWorkflow('u-h2'),
  ),
  api(
    'a body that is an array',
    400,
    'body',
    resetPost([{ userId: 'u-h3', email: 'a@example.com' }]),
    resetWorkflow('u-h3'),
  ),
  api(
    'a body that is not UTF-8',
    400,
    'body',
    { path: '/password-resets', body: notUtf8('{"userId":"u-h4","email":"', '@example.com"}') },
    resetWorkflow('u-h4'),
  ),
  api(
    'no API key',
    401,
    undefined,
    { ...resetPost({ userId: 'u-h5', email: 'a@example.com' }), apiKey: false },
    resetWorkflow('u-h5'),
  ),
  api(`a token over ${FIELD_LIMITS.resetToken} characters`, 400, 'token', {
    path: '/password-resets/redeem',
    body: bytes({ userId: 'u-h6', token: long(FIELD_LIMITS.resetToken + 1) }),
  }),
  api('no token', 400, 'token', { path: '/password-resets/redeem', body: bytes({ userId: 'u-h7' }) }),
];

describe('hostile input against the real stack', function () {
  this.timeout(120_000);
  let stack: TestStack;
  let workflowsBefore: number;

  before(async () => {
    // No lane workers: nothing here may reach one, and a valid webhook is acknowledged without them.
    stack = await startTestStack({
      lanes: [],
      provider: false,
      env: { WEBHOOK_BODY_LIMIT_BYTES: String(BODY_LIMIT) },
    });
    workflowsBefore = (await stack.client.workflow.count()).count;
  });
  after(async () => {
    await stack?.stop();
  });

  it(`has at least 60 cases (${CASES.length})`, () => {
    assert.ok(CASES.length >= 60);
    assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length, 'case names are unique');
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const sent = c.send(stack);
      const headers: Record<string, string> = { ...sent.headers };
      if (sent.apiKey) headers.authorization = `Bearer ${stack.apiKey}`;
      const res = await fetch(`${stack.apiUrl}${sent.path}`, {
        method: sent.method ?? 'POST',
        headers,
        ...(sent.body !== undefined && (sent.method ?? 'POST') !== 'GET' && { body: sent.body }),
      });
      const text = await res.text();
      assert.equal(res.status, c.status, text.slice(0, 300));
      const { error } = JSON.parse(text) as { error: { message: string } };
      if (c.field)
        assert.ok(
          error.message.startsWith(`${c.field}`),
          `400 names ${c.field}: ${error.message.slice(0, 200)}`,
        );
      if (c.workflowId) {
        await assert.rejects(
          stack.client.workflow.getHandle(c.workflowId(stack)).describe(),
          WorkflowNotFoundError,
          'a refused request starts no workflow',
        );
      }
    });
  }

  it('after every case: still healthy, a valid webhook is still 202, and it is the only new workflow', async () => {
    assert.equal((await fetch(`${stack.apiUrl}/healthz`)).status, 200);
    const videoId = 'hostile-control';
    const raw = Buffer.from(JSON.stringify({ id: videoId, status: 'processing', output: null, error: null }));
    const id = 'msg_hostile_control';
    const ts = now();
    const res = await fetch(`${stack.apiUrl}/webhooks/replicate?${issuedQuery(stack, videoId)}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': ts,
        'webhook-signature': standardSignature(stack.config.webhooks.replicateSecrets[0]!, id, ts, raw),
      },
      body: raw,
    });
    assert.equal(res.status, 202, await res.text());
    // Visibility catches up shortly after the start; wait until the control shows, then count.
    const deadline = Date.now() + 30_000;
    let count = (await stack.client.workflow.count()).count;
    while (count < workflowsBefore + 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      count = (await stack.client.workflow.count()).count;
    }
    assert.equal(count, workflowsBefore + 1, 'the control is the only workflow the whole table started');
  });
});
