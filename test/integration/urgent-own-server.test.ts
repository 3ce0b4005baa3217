import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { watchMailFolder, type MailFolderWatch } from '../../bench/mail-folder-watch.js';
import { scrapeCounterTotal } from '../../bench/prometheus-histogram.js';
import { passwordResetWorkflowId } from '../../src/api/password-reset-id.js';
import { loadConfig } from '../../src/config.js';
import { startDevProfile, type DevProfile } from '../support/dev-profile.js';
import { freePort } from '../support/free-port.js';

/**
 * `npm start` with STACK_URGENT_SERVER=own: password resets start on a second dev server, so
 * their tasks never queue behind the video jobs' inside Temporal, while a video job's "ready"
 * mail still goes out from the urgent lane's workers on the first server.
 */
describe('the urgent lane on a Temporal server of its own (STACK_URGENT_SERVER=own)', function () {
  this.timeout(180_000);
  let stack: DevProfile;
  let urgentAddress: string;
  let urgentMetricsUrl: string;
  let mail: MailFolderWatch;
  const connections: Connection[] = [];
  const config = loadConfig({});
  const apiKey = config.api.apiKeys[0]!;

  before(async function () {
    this.timeout(240_000);
    const [port, uiPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort()]);
    urgentAddress = `127.0.0.1:${port}`;
    urgentMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    stack = await startDevProfile({
      env: {
        STACK_URGENT_SERVER: 'own',
        URGENT_TEMPORAL_PORT: String(port),
        URGENT_TEMPORAL_UI_PORT: String(uiPort),
        URGENT_TEMPORAL_DEV_SERVER_ARGS: `--metrics-port ${metricsPort}`,
      },
      upWithinMs: 200_000,
    });
    mail = watchMailFolder(stack.mailDir);
  });
  after(async () => {
    mail?.close();
    await Promise.all(connections.map((c) => c.close()));
    await stack?.stop();
  });

  async function clientFor(address: string): Promise<Client> {
    const connection = await Connection.connect({ address });
    connections.push(connection);
    return new Client({ connection, namespace: config.temporal.namespace });
  }

  const post = (path: string, body: unknown) =>
    fetch(`${stack.apiUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('names both servers and both Web UIs in the banner, and is ready only with both', async () => {
    assert.match(stack.output(), new RegExp(`Urgent lane +${urgentAddress.replace(/\./g, '\\.')}`));
    assert.match(stack.output(), /temporal-urgent\.sqlite/);
    const ready = await fetch(`${stack.apiUrl}/readyz`);
    assert.equal(ready.status, 200, await ready.text());
  });

  it('runs a password reset on the urgent server, not the shared one, and mails it', async () => {
    const userId = `user-${randomUUID()}`;
    const email = `${randomUUID()}@example.test`;
    const res = await post('/password-resets', { userId, email });
    assert.equal(res.status, 202, await res.text());
    await mail.waitFor(email, 30_000);

    const workflowId = passwordResetWorkflowId(userId, config.passwordReset.idKey);
    const onUrgent = await (await clientFor(urgentAddress)).workflow.getHandle(workflowId).describe();
    assert.equal(onUrgent.taskQueue, 'urgent');
    const shared = await clientFor(stack.temporalAddress);
    await assert.rejects(shared.workflow.getHandle(workflowId).describe(), /not found/i);
  });

  it('starts the urgent server with URGENT_TEMPORAL_DEV_SERVER_ARGS (its metrics port)', async () => {
    // The port exists only if that server got the arguments; its count of started resets shows
    // the metrics are that server's.
    const email = `${randomUUID()}@example.test`;
    const res = await post('/password-resets', { userId: `user-${randomUUID()}`, email });
    assert.equal(res.status, 202, await res.text());
    await mail.waitFor(email, 30_000);
    // The server publishes its counters every second or so, not as each call ends.
    const deadline = Date.now() + 15_000;
    let started = 0;
    while (started < 1 && Date.now() < deadline) {
      started =
        (await scrapeCounterTotal(urgentMetricsUrl, 'service_requests', {
          operation: 'SignalWithStartWorkflowExecution',
        })) ?? 0;
      if (started < 1) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(started >= 1, `resets started on the urgent server, by its metrics: ${started}`);
  });

  it("still sends a video job's ready mail, from the urgent lane on the shared server", async () => {
    const email = `${randomUUID()}@example.test`;
    const res = await post('/videos', { tenantId: 'acme', plan: 'paid', requesterEmail: email });
    const body = await res.text();
    assert.equal(res.status, 202, body);
    const { videoId } = JSON.parse(body) as { videoId: string };
    await mail.waitFor(email, 120_000);
    const shared = await clientFor(stack.temporalAddress);
    // The mail is the job's last step: its workflow completes right after.
    const job = shared.workflow.getHandle(`video-${videoId}`);
    const deadline = Date.now() + 15_000;
    let status = (await job.describe()).status.name;
    while (status === 'RUNNING' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      status = (await job.describe()).status.name;
    }
    assert.equal(status, 'COMPLETED');
  });
});
