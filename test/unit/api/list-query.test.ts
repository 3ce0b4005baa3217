import assert from 'node:assert/strict';
import { videoListQuery } from '../../../src/api/videos/list-query.js';

describe('GET /videos?status= query', () => {
  it('lists by the phases VideoStatus holds, and by run outcome', () => {
    assert.equal(
      videoListQuery({ status: 'waiting' }),
      'WorkflowType = "videoJob" AND VideoStatus = "waiting"',
    );
    assert.equal(
      videoListQuery({ status: 'failed' }),
      'WorkflowType = "videoJob" AND ExecutionStatus = "Failed"',
    );
  });

  it("refuses the provider's progress, which is not indexed, saying where to look", () => {
    for (const status of ['starting', 'processing', 'succeeded']) {
      assert.throws(
        () => videoListQuery({ status }),
        (err: Error & { status?: number }) =>
          err.status === 400 &&
          /provider's progress, which is not indexed: list status=waiting/.test(err.message),
      );
    }
  });
});
