import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../src/config.js';
import { connectClient } from '../../src/temporal/client.js';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server.js';
import { freePort } from '../support/free-port.js';
import { startApp, type RunningApp } from '../unit/webhooks/app-harness.js';

/**
 * A real Temporal server whose namespaces have a tiny budget (2 requests/s): whatever route hits
 * it, the API answers the server's RESOURCE_EXHAUSTED as 503 `over_budget` with `Retry-After: 1`
 * at once — not a 500, and not after the client's retries.
 */
describe('API: a request over a lane budget on the server is a quick 503, never a 500', function () {
  this.timeout(60_000);
  let server: DevServer;
  let client: Client;
  let app: RunningApp;

  before(async function () {
    this.timeout(45_000);
    server = await startDevServer({
      port: await freePort(),
      extraArgs: [
        '--dynamic-config-value',
        'frontend.namespaceRPS=2',
        '--dynamic-config-value',
        'frontend.namespaceBurstRatio=1',
      ],
      onLog: () => undefined,
    });
    const env = { TEMPORAL_ADDRESS: server.address, NODE_ENV: 'test', LOG_LEVEL: 'silent' };
    client = await connectClient(loadConfig(env));
    app = await startApp({ env, client });
  });

  after(async () => {
    await app?.close();
    await client?.connection.close();
    await server?.stop();
  });

  it('answers password resets over the budget 503 over_budget + Retry-After: 1', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const started = performance.now();
        const res = await fetch(`${app.url}/password-resets`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${app.config.api.apiKeys[0]}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ userId: `u-budget-${i}`, email: `budget-${i}@example.com` }),
        });
        const body = (await res.json()) as { error?: { code?: string } };
        return {
          status: res.status,
          code: body.error?.code,
          retryAfter: res.headers.get('retry-after'),
          ms: performance.now() - started,
        };
      }),
    );
    const summary = JSON.stringify(answers.map((a) => `${a.status}/${a.code ?? ''}/${Math.round(a.ms)}`));
    const refused = answers.filter((a) => a.status === 503);
    assert.ok(refused.length > 0, `none refused: ${summary}`);
    assert.ok(
      answers.every((a) => a.status === 202 || a.status === 503),
      summary,
    );
    for (const r of refused) assert.deepEqual([r.code, r.retryAfter], ['over_budget', '1'], summary);
    assert.ok(Math.max(...refused.map((r) => r.ms)) < 1_000, `a refusal waited: ${summary}`);
  });
});
