import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow/index.js';
import type { DownloadProgress } from '../../src/activities/video/download-activities.js';
import { QUICK_DOWNLOAD_CEILING_BYTES, type VideoJobResult } from '../../src/shared/video-job.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/**
 * A video worker process killed with SIGKILL in the middle of a download: the heartbeat
 * timeout hands the download to a new worker process, which resumes with a Range request from
 * the heartbeated offset. The job completes with exactly one stored file, intact. The video is
 * over the bound of a download inside the workflow task (a small one has nothing to resume: it
 * is fetched whole again).
 */
describe('fault: video worker killed mid-download', function () {
  this.timeout(180_000);
  const root = new URL('../../', import.meta.url).pathname;
  let stack: TestStack;
  const children: ChildProcess[] = [];
  const fileBytes = QUICK_DOWNLOAD_CEILING_BYTES + 64 * 1024;

  function startVideoWorkerProcess(): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/workers/video.ts')], {
      env: { ...process.env, ...stack.env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return child;
  }

  before(async () => {
    // Only the urgent lane in-process: the video lane is a real child process we can kill.
    stack = await startTestStack({ lanes: ['urgent'], providerFileBytes: fileBytes });
    // 4 KiB/s until the kill: long enough to kill a worker in the middle.
    stack.provider!.setChaos({ fileBytesPerSecond: 4096 });
  });
  after(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await stack?.stop();
  });

  it('resumes the download in a new worker and stores the file once', async () => {
    const first = startVideoWorkerProcess();
    const res = await stack.api('/videos', {
      method: 'POST',
      json: { tenantId: 'crash-test', plan: 'paid' },
    });
    assert.equal(res.status, 202);
    const { videoId, workflowId } = (await res.json()) as { videoId: string; workflowId: string };

    // Wait until bytes are flowing, then a little more so a heartbeat with an offset is recorded.
    for (let i = 0; i < 240 && stack.provider!.stats().routes.fileRequests === 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(stack.provider!.stats().routes.fileRequests > 0, 'the download never started');
    await new Promise((r) => setTimeout(r, 5_000));
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    // The dead worker sends nothing more: what the server holds now is what the next attempt gets.
    const heartbeated = await heartbeatedOffset(stack, workflowId);
    assert.ok(heartbeated > 0, 'a byte offset was heartbeated before the kill');

    startVideoWorkerProcess();
    stack.provider!.setChaos({ fileBytesPerSecond: 0 });
    const result = (await stack.client.workflow.getHandle(workflowId).result()) as VideoJobResult;
    assert.equal(result.status, 'completed');

    const { state } = (await (await stack.api(`/videos/${videoId}`)).json()) as {
      state: { providerJobId: string };
    };
    const served = stack
      .provider!.stats()
      .routes.fileServed.filter((f) => f.predictionId === state.providerJobId);
    // The quick attempt, which stopped at the declared length; the activity task's whole-file
    // answer; then the resumed attempt from the heartbeated byte.
    assert.deepEqual(
      served.map((f) => `${f.status}@${f.start}`),
      [`200@0`, `200@0`, `206@${heartbeated}`],
      'resumed from the heartbeated offset, and no second full download',
    );
    const stored = readdirSync(join(stack.dataDir, 'videos'));
    assert.deepEqual(stored, [`${videoId}.mp4`], 'exactly one stored file, no partial leftovers');
    const bytes = readFileSync(join(stack.dataDir, 'videos', `${videoId}.mp4`));
    assert.equal(bytes.length, fileBytes);
    const original = await fetch(`${stack.providerUrl}/files/${state.providerJobId}.mp4`);
    assert.equal(original.status, 200);
    const expected = Buffer.from(await original.arrayBuffer());
    const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    assert.equal(digest(bytes), digest(expected), "the resumed file is byte-for-byte the provider's");
  });
});

/** The download's last heartbeated byte offset as the server holds it (decoded: payloads are encrypted). */
async function heartbeatedOffset(stack: TestStack, workflowId: string): Promise<number> {
  const { raw } = await stack.client.workflow.getHandle(workflowId).describe();
  const download = raw.pendingActivities?.find((a) => a.activityType?.name === 'downloadVideo');
  assert.ok(download, 'the download is pending');
  const progress = await decodeFromPayloadsAtIndex<DownloadProgress | undefined>(
    stack.client.options.loadedDataConverter,
    0,
    download.heartbeatDetails?.payloads,
  );
  return progress?.offset ?? 0;
}
