import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { checksumMismatch } from './checksum-mismatch.js';
import type { DownloadProgress, ExpectedVideo, StoredVideo, VideoStore, VideoWriter } from './video-store.js';

const PART_SUFFIX = '.part';

/**
 * Videos in a local folder. A download is written to `<id>.mp4.part` and renamed into place
 * only when complete and verified, so a reader never sees half a video.
 */
export function createLocalVideoStore(storageDir: string): VideoStore {
  return {
    async finished(videoId, expected) {
      return finishedFile(join(storageDir, `${videoId}.mp4`), expected);
    },

    async open(videoId, checkpoint) {
      await mkdir(storageDir, { recursive: true });
      return localWriter(join(storageDir, `${videoId}.mp4`), checkpoint);
    },

    async discardPartial(videoId) {
      const partPath = `${join(storageDir, `${videoId}.mp4`)}${PART_SUFFIX}`;
      if ((await sizeOf(partPath)) === undefined) return 0;
      await rm(partPath, { force: true });
      return 1;
    },
  };
}

async function localWriter(
  finalPath: string,
  checkpoint: DownloadProgress | undefined,
): Promise<VideoWriter> {
  const partPath = `${finalPath}${PART_SUFFIX}`;
  const partSize = (await sizeOf(partPath)) ?? 0;
  // The partial file may be shorter than the checkpoint (another machine) or longer (bytes
  // written after the last heartbeat): resume from what both agree on.
  const offset = Math.min(checkpoint?.offset ?? 0, partSize);
  let file: FileHandle | undefined;
  let written = 0;
  return {
    offset,
    async begin(start) {
      file = await open(partPath, start === 0 ? 'w' : 'r+');
      await file.truncate(start);
      written = start;
    },
    async write(chunk) {
      await file!.write(chunk, 0, chunk.byteLength, written);
      written += chunk.byteLength;
    },
    progress: () => ({ offset: written }),
    async finish(expectedSha256) {
      const sha256 = await sha256Of(partPath);
      if (expectedSha256 && expectedSha256 !== sha256) {
        await rm(partPath, { force: true });
        throw checksumMismatch();
      }
      await rename(partPath, finalPath);
      return { storedPath: finalPath, bytes: written, sha256 };
    },
    async close() {
      await file?.sync();
      await file?.close();
      file = undefined;
    },
    async discard() {
      await file?.close();
      file = undefined;
      await rm(partPath, { force: true });
    },
  };
}

async function finishedFile(path: string, expected: ExpectedVideo): Promise<StoredVideo | undefined> {
  const size = await sizeOf(path);
  if (size === undefined || size === 0) return undefined;
  if (expected.bytes !== undefined && size !== expected.bytes) return undefined;
  const sha256 = await sha256Of(path);
  if (expected.sha256 && expected.sha256.toLowerCase() !== sha256) return undefined;
  return { storedPath: path, bytes: size, sha256 };
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
