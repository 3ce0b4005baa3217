import assert from 'node:assert/strict';
import { httpFailure, isPermanentHttpStatus } from '../../../src/activities/video/http-failure.js';

describe('HTTP failure classification', () => {
  it('gives up on a 4xx except 408 and 429, and retries those and every 5xx', () => {
    const permanent = [400, 401, 404, 499];
    const transient = [399, 408, 429, 500, 503];
    for (const status of permanent) assert.ok(isPermanentHttpStatus(status), String(status));
    for (const status of transient) assert.ok(!isPermanentHttpStatus(status), String(status));
  });

  it('says what failed, with the status and the hint when there is one', () => {
    const gone = httpFailure('download of v1', 404);
    assert.deepEqual(
      [gone.message, gone.type, gone.nonRetryable],
      ['download of v1: HTTP 404', 'HttpClientError', true],
    );
    const busy = httpFailure('provider GET /x', 503, 'try later');
    assert.deepEqual(
      [busy.message, busy.type, busy.nonRetryable],
      ['provider GET /x: HTTP 503 try later', 'HttpTransientError', false],
    );
  });
});
