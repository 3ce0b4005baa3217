import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { startCluster, URGENT_NAMESPACE, type ClusterStack } from '../../src/stack/cluster-stack.js';
import { connectClient } from '../../src/temporal/client.js';
import { clusterTestEnv } from '../support/cluster-env.js';
import { databaseOfTitle } from '../../src/cluster/postgres-backend-nice.js';
import {
  assertResetMailedAndRunIn,
  mailedResetToken,
  redeemReset,
  requestReset,
} from '../support/cluster-reset.js';
import { childPids, processTitle } from '../../src/stack/process-table.js';
import { nicenessOf } from '../support/process-niceness.js';
import { freePortRange } from '../support/free-port.js';
import { urgentWorkerName } from '../../src/stack/urgent-workers.js';

/**
 * `npm run start:cluster` as it starts by default (STACK_URGENT_SERVER=own): the urgent lane on a
 * second Temporal server of the profile's own (same binary, PostgreSQL and mTLS; its own
 * databases, ports and Web UI). A reset runs there and nowhere else, the shared server and its
 * PostgreSQL backends yield the CPU to it, and the API is ready only while that server serves it.
 */
describe('cluster profile: the urgent lane on a Temporal server of its own (the default)', function () {
  this.timeout(360_000);
  let dataDir: string;
  let cluster: ClusterStack;
  let shared: Client;
  let urgent: Client;
  /** The shared server's profiler port; the urgent server's is the next one. */
  let pprofPort: number;
  /** When each urgent worker process last said it polls (its `worker running` lines). */
  const pollingSince = new Map<string, number>();

  before(async function () {
    this.timeout(300_000);
    dataDir = mkdtempSync(join(tmpdir(), 'floodgate-urgent-server-'));
    pprofPort = await freePortRange(2);
    cluster = await startCluster({
      print: (service, line) => {
        if (service.startsWith('worker-urgent') && line.includes('worker running'))
          pollingSince.set(service, Date.now());
      },
      env: {
        ...(await clusterTestEnv(dataDir)),
        API_REPLICAS: '1',
        // The workers' `worker running` lines tell when a restarted one polls again.
        LOG_LEVEL: 'info',
        CLUSTER_SERVER_PPROF_PORT: String(pprofPort),
        // Set where the stack starts: the servers take CLUSTER_SERVER_GOGC, not this.
        GOGC: '100',
      },
    });
    assert.ok(cluster.urgentServer, 'the stack names the urgent lane its own server');
    shared = await connectClient(cluster.config, cluster.temporalAddress);
    urgent = await connectClient(cluster.config, cluster.urgentServer.address, URGENT_NAMESPACE);
  });

  after(async function () {
    this.timeout(90_000);
    await shared?.connection.close();
    await urgent?.connection.close();
    await cluster?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const apiUrl = () => `http://127.0.0.1:${cluster.config.api.port}`;

  it('keeps the urgent namespace on its own server only', async () => {
    assert.notEqual(cluster.urgentServer!.address, cluster.temporalAddress);
    await urgent.workflowService.describeNamespace({ namespace: URGENT_NAMESPACE });
    await assert.rejects(
      shared.workflowService.describeNamespace({ namespace: URGENT_NAMESPACE }),
      /not found/i,
      'the shared server has no urgent namespace',
    );
    const ui = await fetch(cluster.urgentServer!.uiUrl);
    assert.equal(ui.status, 200, 'its Web UI answers');
  });

  it('runs a password reset on the urgent server and mails it', async () => {
    const email = `own-server-${Date.now()}@example.com`;
    await assertResetMailedAndRunIn(cluster, email, urgent, shared, 'on the urgent server');
  });

  it("runs the video lane's server and its PostgreSQL backends niced; the urgent server's keep their priority", async () => {
    const own = nicenessOf(process.pid);
    const videoNice = cluster.config.stack.videoServerNice;
    assert.ok(videoNice > own, `STACK_VIDEO_SERVER_NICE (${videoNice}) is above the stack's own niceness`);
    const pidOf = (name: string) =>
      cluster.supervisor.process(name)?.pid ?? assert.fail(`${name} is not running`);
    assert.equal(nicenessOf(pidOf('temporal')), videoNice);
    assert.equal(nicenessOf(pidOf('temporal-urgent')), own);
    // Backends by database, from their titles; new ones are found by a sweep every few seconds.
    const backends = () =>
      childPids(pidOf('postgres')).map((pid) => ({
        db: databaseOfTitle(processTitle(pid) ?? ''),
        nice: nicenessOf(pid),
      }));
    const video = ['temporal', 'temporal_visibility'];
    let seen = backends();
    for (let i = 0; i < 50 && seen.some((b) => video.includes(b.db ?? '') && b.nice !== videoNice); i++) {
      await new Promise((r) => setTimeout(r, 200));
      seen = backends();
    }
    const summary = JSON.stringify(seen);
    for (const db of [...video, 'temporal_urgent', 'temporal_urgent_visibility'])
      assert.ok(
        seen.some((b) => b.db === db),
        `a backend serves ${db}: ${summary}`,
      );
    for (const b of seen) {
      if (b.db === undefined) continue;
      assert.equal(b.nice, video.includes(b.db) ? videoNice : own, `backend of ${b.db}: ${summary}`);
    }
  });

  it("runs both servers with CLUSTER_SERVER_GOGC and serves each one's profiler when asked", async () => {
    const gogc = cluster.config.cluster.serverGogc;
    assert.notEqual(gogc, 100, "the default is not Go's own");
    for (const [name, port] of [
      ['temporal', pprofPort],
      ['temporal-urgent', pprofPort + 1],
    ] as const) {
      const pid = cluster.supervisor.process(name)?.pid ?? assert.fail(`${name} is not running`);
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      assert.ok(environ.includes(`GOGC=${gogc}`), `${name} runs with GOGC=${gogc}`);
      const profiler = await fetch(`http://127.0.0.1:${port}/debug/pprof/cmdline`);
      assert.equal(profiler.status, 200, `${name}'s profiler answers on ${port}`);
      assert.match(
        await profiler.text(),
        /--config\0temporal/,
        `port ${port} is a Temporal server's profiler`,
      );
    }
  });

  it('goes on mailing resets while one urgent worker process restarts, and a link it was holding still redeems at once', async () => {
    assert.equal(cluster.urgentWorkers.length, 2, 'two urgent worker processes by default');
    // Mailed before the kill: each run now waits for its link, held by one process or the other.
    const waiting = Array.from({ length: 6 }, (_, i) => ({
      userId: `u-replicas-${Date.now()}-${i}`,
      email: `replicas-${Date.now()}-${i}@example.com`,
    }));
    const tokens: string[] = [];
    for (const { userId, email } of waiting) {
      assert.equal((await requestReset(cluster, userId, email)).status, 202);
      const mailed = await mailedResetToken(cluster, email, 30_000);
      tokens.push(mailed?.token ?? assert.fail(`no reset mail to ${email}`));
    }
    const killed = urgentWorkerName(1);
    const oldPid = cluster.kill(killed);
    const killedAt = Date.now();
    // A task the server handed to one of the dead process's polls in the instant of the kill
    // waits out its workflow task timeout (PASSWORD_RESET_TASK_TIMEOUT); this reset comes later.
    await new Promise((r) => setTimeout(r, 1_000));
    // Before the supervisor has it back (several seconds: it bundles the workflow code first).
    const fresh = {
      userId: `u-replicas-after-${Date.now()}`,
      email: `replicas-after-${Date.now()}@example.com`,
    };
    assert.equal((await requestReset(cluster, fresh.userId, fresh.email)).status, 202);
    const mailed = await mailedResetToken(cluster, fresh.email, 30_000);
    assert.ok(mailed, 'the reset asked after the kill was mailed');
    const back = pollingSince.get(killed) ?? 0;
    assert.ok(
      back < killedAt || mailed.mailedAt < back,
      `mailed ${Math.round(mailed.mailedAt - killedAt)} ms after the kill; ${killed} polled again ` +
        `${Math.round(back - killedAt)} ms after it, before that`,
    );
    for (const [i, { userId }] of waiting.entries()) {
      const started = Date.now();
      const redeemed = await redeemReset(cluster, userId, tokens[i]!);
      assert.equal(redeemed.status, 200, redeemed.text);
      assert.ok(Date.now() - started < 3_000, `link ${i} redeemed in ${Date.now() - started} ms`);
    }
    const restarted = Date.now() + 60_000;
    while (cluster.supervisor.process(killed)?.pid === oldPid && Date.now() < restarted)
      await new Promise((r) => setTimeout(r, 200));
    assert.notEqual(cluster.supervisor.process(killed)?.pid, oldPid, `${killed} was restarted`);
  });

  it('is not ready while the urgent server is down, and ready again once the supervisor restarts it', async () => {
    /** Whether /readyz answers `status` within `withinMs`, asked every `everyMs`. */
    const readyzBecomes = async (status: number, withinMs: number, everyMs: number) => {
      const deadline = Date.now() + withinMs;
      while (Date.now() < deadline) {
        if ((await fetch(`${apiUrl()}/readyz`)).status === status) return true;
        await new Promise((r) => setTimeout(r, everyMs));
      }
      return false;
    };
    assert.equal((await fetch(`${apiUrl()}/readyz`)).status, 200);
    // Hung first: killed outright, the supervisor can have it back before a readiness check runs.
    cluster.kill('temporal-urgent', 'SIGSTOP');
    assert.ok(await readyzBecomes(503, 30_000, 100), '/readyz answered 503 while the urgent server was down');
    cluster.kill('temporal-urgent', 'SIGKILL');
    assert.ok(await readyzBecomes(200, 90_000, 500), '/readyz answered 200 again after the restart');
  });
});
