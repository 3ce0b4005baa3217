import assert from 'node:assert/strict';
import { startTestStack, type TestStack } from '../support/test-stack.js';

interface ReadyBody {
  status: string;
  temporal: string;
  lanesWithoutWorkers?: string[];
}

/**
 * Ready means ready: /readyz says 200 only once every lane has a worker polling its task
 * queue (as the Temporal server sees it), not merely once Temporal answers.
 */
describe('readiness waits for every lane to be polled', function () {
  this.timeout(120_000);
  let stack: TestStack;

  before(async () => {
    stack = await startTestStack({ lanes: [] });
  });
  after(async () => {
    await stack?.stop();
  });

  async function readyz(): Promise<{ status: number; body: ReadyBody; retryAfter: string | null }> {
    const res = await fetch(`${stack.apiUrl}/readyz`);
    return {
      status: res.status,
      body: (await res.json()) as ReadyBody,
      retryAfter: res.headers.get('retry-after'),
    };
  }

  /** The answer is cached for about a second: ask until it changes, bounded. */
  async function until(pred: (r: Awaited<ReturnType<typeof readyz>>) => boolean, ms: number) {
    const deadline = Date.now() + ms;
    let last = await readyz();
    while (!pred(last) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      last = await readyz();
    }
    return last;
  }

  it('says 503 naming the lanes without workers, then 200 once both are polled', async () => {
    const none = await readyz();
    assert.equal(none.status, 503);
    assert.equal(none.body.temporal, 'reachable');
    assert.ok(none.retryAfter, 'Retry-After tells a load balancer when to ask again');
    assert.deepEqual([...(none.body.lanesWithoutWorkers ?? [])].sort(), ['urgent', 'video']);

    await stack.startWorker('urgent');
    const half = await until((r) => r.body.lanesWithoutWorkers?.length === 1, 30_000);
    assert.equal(half.status, 503, 'one lane polled is not ready');
    assert.deepEqual(half.body.lanesWithoutWorkers, ['video']);

    await stack.startWorker('video');
    const both = await until((r) => r.status === 200, 30_000);
    assert.equal(both.status, 200);
    assert.equal(both.body.status, 'ready');
  });
});
