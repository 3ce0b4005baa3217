import assert from 'node:assert/strict';
import { AdaptiveLimit } from '../../../src/api/admission/adaptive-limit.js';

describe('AdaptiveLimit', () => {
  const opts = { initial: 4, min: 2, max: 8, targetMs: 50 };

  it('refuses a request above the limit and admits it again once a slot is released', () => {
    const limit = new AdaptiveLimit(opts);
    for (let i = 0; i < 4; i++) assert.equal(limit.tryAcquire(), true);
    assert.equal(limit.tryAcquire(), false);
    limit.release(10, true);
    assert.equal(limit.tryAcquire(), true);
  });

  it('grows while answers are fast, up to the maximum', () => {
    const limit = new AdaptiveLimit(opts);
    for (let i = 0; i < 200; i++) {
      assert.equal(limit.tryAcquire(), true);
      limit.release(5, true);
    }
    assert.equal(limit.limit, 8);
  });

  it('shrinks when answers are slower than the target or fail, down to the minimum, once per interval', () => {
    const limit = new AdaptiveLimit({ ...opts, initial: 8 });
    let now = 1_000;
    limit.tryAcquire();
    limit.release(500, true, now);
    assert.equal(limit.limit, 7);
    // A second slow answer inside the same interval does not cut again.
    limit.tryAcquire();
    limit.release(500, true, now + 10);
    assert.equal(limit.limit, 7);
    for (let i = 0; i < 50; i++) {
      now += 100;
      limit.tryAcquire();
      limit.release(1, false, now);
    }
    assert.equal(limit.limit, 2);
  });
});
