import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { createAddressRules } from './address-rules.js';
import { checkedFetch, type DownloadNetwork } from './checked-fetch.js';
import { systemResolver, type HostResolver } from './download-address.js';
import { checkDownloadTarget } from './download-target.js';
import { httpFailure } from './http-failure.js';

export interface DownloadDeps {
  storageDir: string;
  allowedHosts: readonly string[];
  /** Addresses or CIDR blocks allowed although private, loopback, link-local or otherwise special. */
  allowedAddresses: readonly string[];
  allowedPorts: readonly number[];
  /** How host names become addresses; the system's resolver unless given. */
  resolve?: HostResolver;
  maxBytes: number;
  /** No byte for this long counts as a dead transfer (retried, resuming from the last offset). */
  stallTimeoutMs?: number;
}

export interface DownloadRequest {
  videoId: string;
  url: string;
  expectedBytes?: number;
  checksumSha256?: string;
}

export interface StoredVideo {
  storedPath: string;
  bytes: number;
  sha256: string;
}

/** What a download attempt checkpoints in its heartbeats; the next attempt resumes from it. */
export interface DownloadProgress {
  offset: number;
}

/**
 * Downloads a finished video into the storage folder. Progress is heartbeated as a byte
 * offset; a retried attempt continues the partial file with a Range request. The file is
 * written to `<id>.mp4.part` and renamed into place only when complete and verified, so a
 * reader never sees half a video and a re-run finds the finished file and stops there.
 */
export function createDownloadActivities(deps: DownloadDeps) {
  const network: DownloadNetwork = {
    allowedHosts: deps.allowedHosts,
    allowedPorts: deps.allowedPorts,
    addresses: createAddressRules(deps.allowedAddresses),
    resolve: deps.resolve ?? systemResolver,
  };
  return {
    async downloadVideo(req: DownloadRequest): Promise<StoredVideo> {
      const url = checkDownloadTarget(req.videoId, req.url, network);
      await mkdir(deps.storageDir, { recursive: true });
      const finalPath = join(deps.storageDir, `${req.videoId}.mp4`);
      const partPath = `${finalPath}.part`;

      const done = await finishedFile(finalPath, req);
      if (done) return done;

      const ctx = Context.current();
      const checkpoint = (ctx.info.heartbeatDetails as DownloadProgress | undefined)?.offset ?? 0;
      const partSize = (await sizeOf(partPath)) ?? 0;
      // The partial file may be shorter than the checkpoint (another machine) or longer (bytes
      // written after the last heartbeat): resume from what both agree on.
      const offset = Math.min(checkpoint, partSize);

      const stall = new AbortController();
      let stallTimer = setTimeout(() => stall.abort(), deps.stallTimeoutMs ?? 30_000);
      const res = await checkedFetch(
        url,
        network,
        offset > 0 ? { range: `bytes=${offset}-` } : {},
        AbortSignal.any([ctx.cancellationSignal, stall.signal]),
      ).catch((err: unknown) => {
        clearTimeout(stallTimer);
        throw err;
      });
      if (!res.ok) {
        clearTimeout(stallTimer);
        await res.body?.cancel();
        throw httpFailure(`download of ${req.videoId}`, res.status);
      }
      const resumed = res.status === 206;
      if (resumed && !contentRangeStartsAt(res.headers.get('content-range'), offset)) {
        clearTimeout(stallTimer);
        await res.body?.cancel();
        await rm(partPath, { force: true });
        throw ApplicationFailure.retryable(
          'server answered a different range; restarting from zero',
          'RangeMismatch',
        );
      }
      const start = resumed ? offset : 0;
      const total = declaredTotal(res, start) ?? req.expectedBytes;
      if (total !== undefined && total > deps.maxBytes) {
        clearTimeout(stallTimer);
        await res.body?.cancel();
        throw ApplicationFailure.nonRetryable(
          `video is ${total} bytes, over the ${deps.maxBytes} byte limit`,
          'DownloadTooLarge',
        );
      }

      const file = await open(partPath, start === 0 ? 'w' : 'r+');
      let written = start;
      try {
        await file.truncate(start);
        const reader = res.body!.getReader();
        for (;;) {
          const { done: ended, value } = await reader.read();
          if (ended) break;
          clearTimeout(stallTimer);
          stallTimer = setTimeout(() => stall.abort(), deps.stallTimeoutMs ?? 30_000);
          if (written + value.byteLength > deps.maxBytes) {
            await reader.cancel();
            throw ApplicationFailure.nonRetryable(
              `video exceeds the ${deps.maxBytes} byte limit`,
              'DownloadTooLarge',
            );
          }
          await file.write(value, 0, value.byteLength, written);
          written += value.byteLength;
          ctx.heartbeat({ offset: written } satisfies DownloadProgress);
        }
        await file.sync();
      } finally {
        clearTimeout(stallTimer);
        await file.close();
      }

      const expectedBytes = req.expectedBytes ?? total;
      if (expectedBytes !== undefined && written !== expectedBytes) {
        // A short transfer keeps its bytes: the retry resumes after them.
        throw ApplicationFailure.retryable(`got ${written} of ${expectedBytes} bytes`, 'DownloadIncomplete');
      }
      const sha256 = await sha256Of(partPath);
      const expectedSha = (req.checksumSha256 ?? res.headers.get('x-checksum-sha256') ?? '').toLowerCase();
      if (expectedSha && expectedSha !== sha256) {
        await rm(partPath, { force: true });
        throw ApplicationFailure.retryable('checksum mismatch; downloading again', 'ChecksumMismatch');
      }
      await rename(partPath, finalPath);
      return { storedPath: finalPath, bytes: written, sha256 };
    },
  };
}

/** The stored file when an earlier attempt or run already finished it. */
async function finishedFile(path: string, req: DownloadRequest): Promise<StoredVideo | undefined> {
  const size = await sizeOf(path);
  if (size === undefined || size === 0) return undefined;
  if (req.expectedBytes !== undefined && size !== req.expectedBytes) return undefined;
  const sha256 = await sha256Of(path);
  if (req.checksumSha256 && req.checksumSha256.toLowerCase() !== sha256) return undefined;
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

/** The whole file's size from Content-Range (206) or Content-Length (200). */
function declaredTotal(res: Response, start: number): number | undefined {
  const range = /\/(\d+)\s*$/.exec(res.headers.get('content-range') ?? '');
  if (range) return Number(range[1]);
  const length = res.headers.get('content-length');
  return length === null ? undefined : start + Number(length);
}

function contentRangeStartsAt(header: string | null, offset: number): boolean {
  const m = /^bytes\s+(\d+)-/i.exec(header ?? '');
  return m !== null && Number(m[1]) === offset;
}
