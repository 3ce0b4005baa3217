import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import proto, { type temporal as protoTypes } from '@temporalio/proto';
import { TASK_QUEUES } from '../../src/shared/task-queues.js';
import { VIDEO_WORKFLOW_TYPE, videoWorkflowId } from '../../src/shared/video-job.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const { temporal } = proto;
const ws = temporal.api.workflowservice.v1;
const CODEC_TOKEN = 'privacy-test-codec-token';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What Temporal stores, read the way its database and Web UI server hand it out: the raw
 * protobuf bytes of every history page, every describe and every visibility row. An address, a
 * reset token or a provider's error text found there is readable by anyone with access to the
 * cluster, whatever the payload codec does.
 */
describe('payload privacy: what Temporal stores holds no address, token or failure text in clear', function () {
  this.timeout(180_000);
  let stack: TestStack;
  const run = randomUUID().slice(0, 8);
  const email = `privacy-${run}@example.com`;
  let resetToken = '';
  const jobs: Record<'completed' | 'failed', string> = { completed: '', failed: '' };

  before(async function () {
    this.timeout(180_000);
    // Strict, as in production: every worker and the API refuse a plaintext payload.
    stack = await startTestStack({
      env: { PAYLOAD_REQUIRE_ENCRYPTION: 'true', CODEC_AUTH_TOKENS: CODEC_TOKEN },
    });
    const reset = await stack.api('/password-resets', {
      method: 'POST',
      json: { userId: `u-${run}`, email },
    });
    assert.equal(reset.status, 202);
    const mail = await stack.smtp.waitFor((m) => m.to.includes(email) && /token=/.test(m.text), 30_000);
    resetToken = decodeURIComponent(/token=([^&\s]+)/.exec(mail.text)?.[1] ?? '');
    assert.ok(resetToken.length >= 16, `a reset token in the mail:\n${mail.text}`);

    jobs.completed = await videoJob(stack, email, `completed-${run}`, 'COMPLETED');
    await chaos(stack, { failurePercent: 100 });
    try {
      jobs.failed = await videoJob(stack, email, `failed-${run}`, 'FAILED');
    } finally {
      await chaos(stack, { failurePercent: 0 });
    }
  });
  after(async () => {
    await stack?.stop();
  });

  it('the API, through its codec, still reads the jobs back (the data is there, encrypted)', async () => {
    const res = await stack.api(`/videos/${jobs.failed}`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { runStatus: string };
    assert.equal(body.runStatus, 'FAILED');
  });

  it('no history, describe or visibility row holds the address, the token or the failure text', async () => {
    const stored = await storedBytes(stack);
    const types = stored.runs.map((r) => r.type);
    assert.ok(types.includes('passwordReset'), `runs scanned: ${types.join(', ')}`);
    assert.ok(stored.runs.some((r) => r.workflowId.endsWith(jobs.completed) && r.status === 'COMPLETED'));
    assert.ok(stored.runs.some((r) => r.workflowId.endsWith(jobs.failed) && r.status === 'FAILED'));
    assert.ok(stored.failures > 0, 'the failed job left failures in its history');
    for (const [what, needle] of [
      ['email address', email],
      ['reset token', resetToken],
      ["provider's failure text", 'CUDA out of memory'],
      ["worker's source paths (stack traces)", process.cwd()],
    ] as const) {
      const hit = stored.blobs.find((b) => b.bytes.includes(needle));
      assert.equal(hit?.where, undefined, `the ${what} is stored in clear in ${hit?.where}`);
    }
  });

  it('every stored failure says "Encoded failure" with no stack trace; /codec reads the real one', async () => {
    const failures = (await storedBytes(stack)).failureList;
    assert.ok(failures.length > 0);
    for (const f of failures) {
      assert.equal(f.message, 'Encoded failure', `a failure message in clear: ${f.message}`);
      assert.equal(f.stackTrace ?? '', '', 'a stack trace in clear');
    }
    const decoded = await codecDecode(
      stack,
      failures.map((f) => f.encodedAttributes!),
    );
    assert.ok(
      decoded.some((d) => d.includes('CUDA out of memory')),
      `the codec endpoint decrypts the real message:\n${decoded.join('\n')}`,
    );
  });

  it('a worker refuses a plaintext payload with a clear error; so does the API', async () => {
    // Written without the codec, as a client with a missing or wrong configuration would.
    const plain = new Client({
      connection: stack.client.connection,
      namespace: stack.config.temporal.namespace,
    });
    const videoId = `plain-${run}`;
    const handle = await plain.workflow.start(VIDEO_WORKFLOW_TYPE, {
      taskQueue: TASK_QUEUES.video,
      workflowId: videoWorkflowId(videoId),
      args: [{ videoId, tenantId: 't-plain', plan: 'free', providerInput: {}, submit: false }],
      memo: { note: 'plaintext' },
    });
    try {
      let message = '';
      for (let i = 0; i < 60 && !message; i++) {
        const history = await handle.fetchHistory();
        const failed = history.events?.find((e) => e.workflowTaskFailedEventAttributes);
        const failure = failed?.workflowTaskFailedEventAttributes?.failure;
        if (failure?.encodedAttributes) message = (await codecDecode(stack, [failure.encodedAttributes]))[0]!;
        else if (!failed) await sleep(250);
      }
      // The workflow task's failure is encoded too: its attributes, decrypted, carry the reason.
      const reason = (JSON.parse(message || '{}') as { message?: string }).message ?? '';
      assert.match(reason, /^refusing an unencrypted payload \(encoding "json\/plain"/);
      // The API's client decodes the run's memo when it describes it: that read fails too.
      assert.equal((await stack.api(`/videos/${videoId}`)).status, 500);
    } finally {
      // Already ended if a worker did run it: the assertion above says so, not this call.
      await handle.terminate('privacy test done').catch(() => undefined);
    }
  });
});

/** Starts a job through the API with the address as its requester, waits for the run's end. */
async function videoJob(stack: TestStack, email: string, tenantId: string, until: string): Promise<string> {
  const res = await stack.api('/videos', {
    method: 'POST',
    json: { tenantId, plan: 'paid', requesterEmail: email, input: { prompt: `a film for ${email}` } },
  });
  const text = await res.text();
  assert.equal(res.status, 202, text);
  const { videoId } = JSON.parse(text) as { videoId: string };
  let status = '';
  for (let i = 0; i < 240 && status !== until; i++) {
    if (i > 0) await sleep(250);
    status =
      ((await (await stack.api(`/videos/${videoId}`)).json()) as { runStatus?: string }).runStatus ?? '';
  }
  assert.equal(status, until, `video ${videoId}`);
  return videoId;
}

async function chaos(stack: TestStack, knobs: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${stack.providerUrl}/_sim/chaos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(knobs),
  });
  assert.equal(res.status, 200);
}

type RawPayload = protoTypes.api.common.v1.IPayload;
type RawFailure = protoTypes.api.failure.v1.IFailure;

/** Decodes payloads through the API's /codec, as the Web UI does; each payload's data as text. */
async function codecDecode(stack: TestStack, payloads: RawPayload[]): Promise<string[]> {
  const res = await fetch(`${stack.apiUrl}/codec/decode`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CODEC_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      payloads: payloads.map((p) => ({
        metadata: Object.fromEntries(
          Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
        data: Buffer.from(p.data ?? []).toString('base64'),
      })),
    }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const body = (await res.json()) as { payloads: Array<{ data?: string }> };
  return body.payloads.map((p) => Buffer.from(p.data ?? '', 'base64').toString());
}

/**
 * Every run in the stack's namespace (the stack has a server of its own), as raw bytes: the
 * visibility page, each describe, each history page; and every failure found in them.
 */
async function storedBytes(stack: TestStack) {
  const namespace = stack.config.temporal.namespace;
  const svc = stack.client.workflowService;
  const blobs: Array<{ where: string; bytes: Buffer }> = [];
  const failureList: RawFailure[] = [];
  const list = await svc.listWorkflowExecutions({ namespace, pageSize: 1000 });
  blobs.push({
    where: 'visibility',
    bytes: Buffer.from(ws.ListWorkflowExecutionsResponse.encode(list).finish()),
  });
  const runs = [];
  for (const info of list.executions ?? []) {
    const execution = { workflowId: info.execution!.workflowId!, runId: info.execution!.runId! };
    const where = `${info.type?.name} ${execution.workflowId}`;
    runs.push({
      type: info.type?.name ?? '',
      workflowId: execution.workflowId,
      status: temporal.api.enums.v1.WorkflowExecutionStatus[info.status ?? 0]!.replace(
        'WORKFLOW_EXECUTION_STATUS_',
        '',
      ),
    });
    const described = await svc.describeWorkflowExecution({ namespace, execution });
    blobs.push({
      where: `describe of ${where}`,
      bytes: Buffer.from(ws.DescribeWorkflowExecutionResponse.encode(described).finish()),
    });
    let nextPageToken: Uint8Array | undefined;
    for (let page = 0; page < 100; page++) {
      const res = await svc.getWorkflowExecutionHistory({ namespace, execution, nextPageToken });
      blobs.push({
        where: `history of ${where}`,
        bytes: Buffer.from(ws.GetWorkflowExecutionHistoryResponse.encode(res).finish()),
      });
      collectFailures(res.history, failureList);
      if (!res.nextPageToken?.length) break;
      nextPageToken = res.nextPageToken;
    }
  }
  return { blobs, runs, failures: failureList.length, failureList };
}

/** Every Failure (causes included) anywhere in a message. */
function collectFailures(node: unknown, out: RawFailure[]): void {
  if (Array.isArray(node)) for (const item of node) collectFailures(item, out);
  else if (node && typeof node === 'object' && !(node instanceof Uint8Array)) {
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'failure' || key === 'cause') && value && typeof value === 'object')
        out.push(value as RawFailure);
      collectFailures(value, out);
    }
  }
}
