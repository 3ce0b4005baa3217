import assert from 'node:assert/strict';
import { videoStartOptions } from '../../../src/api/videos/video-start-options.js';
import { loadConfig } from '../../../src/config.js';
import type { VideoJobInput } from '../../../src/shared/video-job.js';

const input: VideoJobInput = {
  videoId: 'v1',
  tenantId: 'acme',
  plan: 'paid',
  submit: false,
  reconcileAfterMs: 60_000,
};

/** Every door a job comes in by (webhook adoption, POST /videos, a retry) starts it with these options. */
describe('video start options', () => {
  it("hand the run today's bounds: events per run, and the largest download inside a workflow task", () => {
    const config = loadConfig({ VIDEO_JOB_MAX_EVENTS: '42', DOWNLOAD_IN_TASK_MAX_BYTES: '0' });
    const [args] = videoStartOptions(config, { ...input, downloadInTaskMaxBytes: 1024 }, 'a test').args!;
    assert.equal(args.maxEvents, 42);
    assert.equal(args.downloadInTaskMaxBytes, 0);
  });
});
