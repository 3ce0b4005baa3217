import assert from 'node:assert/strict';
import { KeyedRateLimit } from '../../../src/api/admission/keyed-rate-limit.js';
import { addressKey, ResetLimits } from '../../../src/api/admission/reset-limits.js';

describe('ResetLimits', () => {
  const opts = { perUser: 3, perAddress: 2, windowMs: 3_600_000, cooldownMs: 60_000, overallPerSecond: 4 };

  it('admits a user once per cool-down and at most perUser times per window, with the wait to the next room', () => {
    const limits = new ResetLimits({ ...opts, perAddress: 100 });
    const req = (i: number) => ({ userId: 'u1', email: `a${i}@example.test` });
    assert.equal(limits.admit(req(0), 0).admitted, true);
    assert.deepEqual(limits.admit(req(1), 1_000), { admitted: false, scope: 'user', retryAfterMs: 59_000 });
    assert.equal(limits.admit(req(2), 60_000).admitted, true);
    assert.equal(limits.admit(req(3), 120_000).admitted, true);
    // Three in the window: the fourth waits until the first leaves it.
    assert.deepEqual(limits.admit(req(4), 180_000), {
      admitted: false,
      scope: 'user',
      retryAfterMs: 3_420_000,
    });
    assert.equal(limits.admit(req(5), 3_600_001).admitted, true);
  });

  it('counts one mailbox across user ids, case and +tags', () => {
    const limits = new ResetLimits(opts);
    assert.equal(limits.admit({ userId: 'a', email: 'Ada@Example.test' }, 0).admitted, true);
    assert.equal(limits.admit({ userId: 'b', email: 'ada+b@example.TEST' }, 1_000).admitted, true);
    const third = limits.admit({ userId: 'c', email: 'ADA+c@example.test' }, 2_000);
    assert.deepEqual(third, { admitted: false, scope: 'address', retryAfterMs: 3_598_000 });
    assert.equal(addressKey('Ada+x+y@Example.test'), 'ada@example.test');
  });

  it('admits at most overallPerSecond a second across users', () => {
    const limits = new ResetLimits(opts);
    const answers = Array.from({ length: 10 }, (_, i) =>
      limits.admit({ userId: `u${i}`, email: `${i}@x.test` }, 500),
    );
    assert.equal(answers.filter((a) => a.admitted).length, 4);
    assert.deepEqual(answers[4], { admitted: false, scope: 'overall', retryAfterMs: 1_000 });
    assert.equal(limits.admit({ userId: 'late', email: 'late@x.test' }, 1_500).admitted, true);
  });

  it('lets a refused request use up nothing: refusals on one limit leave the others untouched', () => {
    const limits = new ResetLimits({ ...opts, overallPerSecond: 1_000 });
    assert.equal(limits.admit({ userId: 'u', email: 'v@x.test' }, 0).admitted, true);
    // 100 refusals for user u naming w@x.test: w's allowance is still whole.
    for (let i = 0; i < 100; i++)
      assert.equal(limits.admit({ userId: 'u', email: 'w@x.test' }, 10).admitted, false);
    assert.equal(limits.admit({ userId: 'a', email: 'w@x.test' }, 20).admitted, true);
    assert.equal(limits.admit({ userId: 'b', email: 'w@x.test' }, 30).admitted, true);
  });

  it('gives an allowance back when the admitted request could not be recorded', () => {
    const limits = new ResetLimits({ ...opts, overallPerSecond: 1 });
    const request = { userId: 'u', email: 'a@x.test' };
    const first = limits.admit(request, 0);
    assert.ok(first.admitted);
    assert.equal(limits.admit(request, 10).admitted, false);
    first.release();
    // The retry the 503 asked for is admitted, by every limit.
    assert.equal(limits.admit(request, 20).admitted, true);
  });

  it('keeps a key only while it has an admission in its window (memory follows what was admitted)', () => {
    const limit = new KeyedRateLimit({ limit: 1, windowMs: 1_000 });
    for (let i = 0; i < 5_000; i++) limit.take(`user-${i}`, i);
    // Each key leaves its window a second after it came: at most the last second's keys remain.
    assert.ok(limit.size <= 2_100, `${limit.size} keys kept`);
  });
});
