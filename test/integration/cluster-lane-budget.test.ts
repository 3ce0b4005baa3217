import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { videoNamespaceBudget } from '../../bench/profiles/dev-profile.js';
import { deliveryUrl, signedReplicateWebhook } from '../../bench/signed-webhook.js';
import { COMPOSE_DIR } from '../../src/cluster/temporal-server.js';
import { startCluster, URGENT_NAMESPACE, type ClusterStack } from '../../src/stack/cluster-stack.js';
import { connectClient } from '../../src/temporal/client.js';
import { clusterTestEnv } from '../support/cluster-env.js';
import { assertResetMailedAndRunIn } from '../support/cluster-reset.js';

/** The video namespace's budget in this test: small enough that a short flood spends it. */
const VIDEO_NAMESPACE_RPS = 4;

/**
 * Lane isolation at the engine, on `npm run start:cluster`'s own start path: password resets run
 * in a namespace of their own, and a budget for the video namespace in the server's dynamic config
 * (a tiny one here, given through CLUSTER_DYNAMIC_CONFIG_FILE; the shipped file sets none). A webhook flood beyond the
 * budget is refused by the server and answered 503 with a short Retry-After at once, while a
 * password reset in its own namespace goes through.
 */
describe('cluster profile: a budget for the video namespace on the engine does not reach the urgent lane', function () {
  this.timeout(300_000);
  let dataDir: string;
  let cluster: ClusterStack;
  let client: Client;
  let urgent: Client;

  before(async function () {
    this.timeout(240_000);
    dataDir = mkdtempSync(join(tmpdir(), 'floodgate-lane-budget-'));
    // The profile's own dynamic config, plus a tiny budget for the video namespace.
    const dynamicConfig = join(dataDir, 'dynamicconfig.yaml');
    const shipped = readFileSync(join(COMPOSE_DIR, 'dynamicconfig', 'floodgate.yaml'), 'utf8');
    writeFileSync(dynamicConfig, `${shipped}\n${videoNamespaceBudget(VIDEO_NAMESPACE_RPS)}`);
    cluster = await startCluster({
      env: {
        ...(await clusterTestEnv(dataDir)),
        CLUSTER_DYNAMIC_CONFIG_FILE: dynamicConfig,
        // Both lanes on one server: the budget is what keeps the urgent namespace's capacity there.
        STACK_URGENT_SERVER: 'shared',
        // Each API replica's readiness checks are requests in the video namespace too: one
        // replica keeps the stack's own traffic under this tiny budget, so only the flood hits it.
        API_REPLICAS: '1',
      },
    });
    client = await connectClient(cluster.config, cluster.temporalAddress);
    urgent = await connectClient(cluster.config, cluster.temporalAddress, URGENT_NAMESPACE);
  });

  after(async function () {
    this.timeout(90_000);
    await client?.connection.close();
    await urgent?.connection.close();
    await cluster?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const apiUrl = () => `http://127.0.0.1:${cluster.config.api.port}`;

  it('registers the urgent lane its own namespace and serves it', async () => {
    assert.equal(cluster.config.temporal.urgentNamespace, URGENT_NAMESPACE);
    await urgent.workflowService.describeNamespace({ namespace: URGENT_NAMESPACE });
    assert.equal((await fetch(`${apiUrl()}/readyz`)).status, 200);
  });

  it('answers a flood over the video budget 503 + Retry-After at once, and a reset still goes through', async () => {
    const secret = cluster.config.webhooks.replicateSecrets[0]!;
    const flood = Array.from({ length: 80 }, async (_, i) => {
      const { urlTokenKeys } = cluster.config.webhooks;
      const d = signedReplicateWebhook(secret, urlTokenKeys, `msg-budget-${i}`, `budget-${i}`, 'processing');
      const started = performance.now();
      const res = await fetch(deliveryUrl(`${apiUrl()}/webhooks/replicate`, d), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(d.headers as Record<string, string>) },
        body: d.rawBody,
      });
      const body = (await res.json()) as { error?: { code?: string } };
      return {
        status: res.status,
        ms: performance.now() - started,
        retryAfter: res.headers.get('retry-after'),
        code: body.error?.code,
      };
    });
    const answers = await Promise.all(flood);
    const refused = answers.filter((a) => a.status === 503);
    const summary = JSON.stringify(answers.map((a) => `${a.status}/${a.code ?? ''}/${Math.round(a.ms)}`));
    assert.ok(
      refused.length > 0,
      `no webhook was refused over a budget of ${VIDEO_NAMESPACE_RPS}/s: ${summary}`,
    );
    assert.ok(
      answers.some((a) => a.status === 202),
      `none accepted: ${summary}`,
    );
    assert.ok(
      answers.every((a) => a.status === 202 || a.status === 503),
      summary,
    );
    for (const r of refused) {
      assert.equal(r.code, 'over_budget', summary);
      assert.equal(r.retryAfter, '1');
    }
    const slowest = Math.max(...refused.map((r) => r.ms));
    // Refused by the server's budget, not after a wait: no retry, no ack deadline spent.
    assert.ok(slowest < 1_000, `a refusal took ${Math.round(slowest)} ms: ${summary}`);

    const email = `budget-${Date.now()}@example.com`;
    await assertResetMailedAndRunIn(cluster, email, urgent, client, 'in the urgent namespace');
  });
});
