import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ReceivedMail } from '../../dev/smtp-sink/smtp-sink.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const CACHED = 2;
const RESETS = 6;
const tokenOf = (mail: ReceivedMail) =>
  /[?&]token=([\w-]+)/.exec(mail.text)?.[1] ?? assert.fail('no token in mail');

/**
 * A reset's workflow stays open until its link is used or expires, so the urgent worker's
 * workflow cache is bounded (URGENT_CACHED_WORKFLOWS): with more resets waiting than the bound,
 * the worker keeps only the bound in memory, and a link used after its workflow was evicted
 * still redeems (the workflow is replayed from its history).
 */
describe('urgent worker: a bounded cache of waiting resets', function () {
  this.timeout(90_000);
  let stack: TestStack;

  before(async function () {
    this.timeout(120_000);
    stack = await startTestStack({
      lanes: ['urgent'],
      provider: false,
      env: {
        URGENT_CACHED_WORKFLOWS: String(CACHED),
        URGENT_WORKFLOW_SLOTS: String(CACHED),
        PASSWORD_RESET_TTL: '5m',
      },
    });
  });
  after(async () => stack?.stop());

  it(`keeps ${CACHED} of ${RESETS} waiting resets in memory, and the oldest link still redeems`, async () => {
    const users = Array.from({ length: RESETS }, () => ({
      userId: `user-${randomUUID()}`,
      email: `${randomUUID()}@example.test`,
    }));
    const tokens: string[] = [];
    // One after the other, each mailed before the next: the first is the least recently used.
    for (const { userId, email } of users) {
      const res = await stack.api('/password-resets', { method: 'POST', json: { userId, email } });
      assert.equal(res.status, 202, await res.text());
      tokens.push(tokenOf(await stack.smtp.waitFor((m) => m.to.includes(email), 20_000)));
    }
    const cached = stack.workers.get('urgent')!.getStatus().numCachedWorkflows;
    assert.ok(cached <= CACHED, `${cached} workflows cached, bound ${CACHED}`);

    const first = users[0]!;
    const redeemed = await stack.api('/password-resets/redeem', {
      method: 'POST',
      json: { userId: first.userId, token: tokens[0] },
    });
    assert.equal(redeemed.status, 200, await redeemed.text());
  });
});
