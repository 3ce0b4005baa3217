import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { watchMailFolder, type MailFolderWatch } from '../../bench/mail-folder-watch.js';
import { scrapeCounterTotal } from '../../bench/prometheus-histogram.js';
import { passwordResetWorkflowId } from '../../src/api/password-reset-id.js';
import { loadConfig } from '../../src/config.js';
import { startDevProfile, type DevProfile } from '../support/dev-profile.js';
import { freePort } from '../support/free-port.js';
import { processAlive } from '../support/process-alive.js';

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

  it('names both servers and both Web UIs in the banner, and is ready with both up', async () => {
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

  /** Polls /readyz (its answer is cached 1 s) until it answers `status`; the last answer either way. */
  async function readyzUntil(status: number, withinMs: number): Promise<{ status: number; body: string }> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const res = await fetch(`${stack.apiUrl}/readyz`, { signal: AbortSignal.timeout(5_000) });
      const answer = { status: res.status, body: await res.text() };
      if (answer.status === status || Date.now() > deadline) return answer;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  // Last: it takes the urgent server down (the supervisor brings it back on the same SQLite file).
  it("is not ready while the urgent lane's server is down, and ready again once the supervisor restarted it", async () => {
    const pidFile = join(stack.dataDir, 'run', 'temporal-urgent.pid');
    const killed = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(processAlive(killed), `the urgent server runs as pid ${killed}`);
    assert.equal((await readyzUntil(200, 10_000)).status, 200, 'ready before the kill');

    // Down first as a hung server (SIGSTOP: it takes connections and never answers): a plain
    // kill is back within about a second, inside the client's retry budget and readiness's 1 s
    // cache, so /readyz might never see it. Then it dies and the supervisor starts a new one.
    process.kill(killed, 'SIGSTOP');
    let down: { status: number; body: string };
    try {
      down = await readyzUntil(503, 15_000);
    } finally {
      process.kill(killed, 'SIGKILL');
    }
    assert.equal(down.status, 503, `readiness with the urgent server down: ${down.body}`);
    assert.match(down.body, /"temporal":"unreachable"/);

    const back = await readyzUntil(200, 90_000);
    assert.equal(
      back.status,
      200,
      `readiness after the restart: ${back.body}\n${stack.output().slice(-2_000)}`,
    );
    const restarted = Number(readFileSync(pidFile, 'utf8'));
    assert.notEqual(restarted, killed, 'a new urgent server process');
    assert.ok(processAlive(restarted));
    assert.equal(processAlive(killed), false);
  });
});
