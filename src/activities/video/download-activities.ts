import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { DownloadProgress, StoredVideo, VideoStore } from '../../storage/video-store.js';
import { createAddressRules } from './address-rules.js';
import { checkedFetch, type DownloadNetwork } from './checked-fetch.js';
import { systemResolver, type HostResolver } from './download-address.js';
import { checkDownloadTarget } from './download-target.js';
import { httpFailure } from './http-failure.js';

export type { DownloadProgress, StoredVideo } from '../../storage/video-store.js';

/** What a quick download answers for a video over its bound: nothing stored, nothing kept. */
export interface LargerThanQuickBound {
  largerThan: number;
}

/** A transfer stopped at its byte limit (declared, or reached while reading). */
class OverLimit extends Error {
  constructor(
    readonly limit: number,
    readonly declared?: number,
  ) {
    super(
      declared === undefined
        ? `video exceeds the ${limit} byte limit`
        : `video is ${declared} bytes, over the ${limit} byte limit`,
    );
  }
}

export interface DownloadDeps {
  store: VideoStore;
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

/**
 * Downloads a finished video into the video store. The store's progress is heartbeated; a
 * retried attempt continues from the bytes the store kept with a Range request. The store
 * makes the video visible only when complete and verified, so a reader never sees half a
 * video, and a re-run finds the finished video and stops there.
 */
export function createDownloadActivities(deps: DownloadDeps) {
  const stallMs = deps.stallTimeoutMs ?? 30_000;
  const network: DownloadNetwork = {
    allowedHosts: deps.allowedHosts,
    allowedPorts: deps.allowedPorts,
    addresses: createAddressRules(deps.allowedAddresses),
    resolve: deps.resolve ?? systemResolver,
  };
  const tooLarge = (err: OverLimit) => ApplicationFailure.nonRetryable(err.message, 'DownloadTooLarge');

  /** Fetches the video into the store, reading at most `limit` bytes; `OverLimit` past it. */
  async function fetchIntoStore(req: DownloadRequest, limit: number): Promise<StoredVideo> {
    const url = checkDownloadTarget(req.videoId, req.url, network);
    const done = await deps.store.finished(req.videoId, {
      bytes: req.expectedBytes,
      sha256: req.checksumSha256,
    });
    if (done) return done;

    const ctx = Context.current();
    // A local activity has no heartbeat: a retry starts from byte 0, and so does its successor.
    const heartbeat = ctx.info.isLocal ? () => undefined : (p: DownloadProgress) => ctx.heartbeat(p);
    const writer = await deps.store.open(
      req.videoId,
      ctx.info.heartbeatDetails as DownloadProgress | undefined,
    );
    const offset = writer.offset;

    // One controller ends the transfer on cancellation or when the provider goes silent.
    const transfer = new AbortController();
    const onCancel = () => transfer.abort();
    ctx.cancellationSignal.addEventListener('abort', onCancel, { once: true });
    let stallTimer = setTimeout(() => transfer.abort(), stallMs);
    const settle = () => {
      clearTimeout(stallTimer);
      ctx.cancellationSignal.removeEventListener('abort', onCancel);
    };
    // Connects only to the address that was checked, on every redirect hop too.
    const res = await checkedFetch(
      url,
      network,
      offset > 0 ? { range: `bytes=${offset}-` } : {},
      transfer.signal,
    ).catch((err: unknown) => {
      settle();
      throw err;
    });
    if (!res.ok) {
      settle();
      await res.body?.cancel();
      throw httpFailure(`download of ${req.videoId}`, res.status);
    }
    const resumed = res.status === 206;
    if (resumed && !contentRangeStartsAt(res.headers.get('content-range'), offset)) {
      settle();
      await res.body?.cancel();
      await writer.discard();
      throw ApplicationFailure.retryable(
        'server answered a different range; restarting from zero',
        'RangeMismatch',
      );
    }
    const start = resumed ? offset : 0;
    const total = declaredTotal(res, start) ?? req.expectedBytes;
    if (total !== undefined && total > limit) {
      settle();
      await res.body?.cancel();
      await writer.discard();
      throw new OverLimit(limit, total);
    }

    // A read waiting on a paused body does not always end when the request is aborted (a
    // stall seen while parts were being uploaded): the abort itself ends the wait.
    const aborted = new Promise<never>((_, reject) =>
      transfer.signal.addEventListener('abort', () => reject(transfer.signal.reason as Error), {
        once: true,
      }),
    );
    aborted.catch(() => undefined);
    const reader = res.body!.getReader();
    let written = start;
    try {
      await writer.begin(start);
      for (;;) {
        const { done: ended, value } = await Promise.race([reader.read(), aborted]);
        if (ended) break;
        // The stall timer counts the provider's silence only, not the store's writes.
        clearTimeout(stallTimer);
        if (written + value.byteLength > limit) {
          await reader.cancel();
          await writer.discard();
          throw new OverLimit(limit);
        }
        await writer.write(value);
        written += value.byteLength;
        heartbeat(writer.progress());
        stallTimer = setTimeout(() => transfer.abort(), stallMs);
      }
    } finally {
      settle();
      await reader.cancel().catch(() => undefined);
      await writer.close();
    }

    const expectedBytes = req.expectedBytes ?? total;
    if (expectedBytes !== undefined && written !== expectedBytes) {
      // A short transfer keeps its bytes: the retry resumes after them.
      throw ApplicationFailure.retryable(`got ${written} of ${expectedBytes} bytes`, 'DownloadIncomplete');
    }
    const expectedSha = (req.checksumSha256 ?? res.headers.get('x-checksum-sha256') ?? '').toLowerCase();
    const stored = await writer.finish(expectedSha);
    // An earlier attempt may have opened an upload whose id never reached a heartbeat, so
    // this one began another: drop what is left. Only after a failed attempt, to spare a
    // listing on every job; a failure here costs storage, not the stored video.
    if (ctx.info.attempt > 1) {
      await deps.store.discardPartial(req.videoId).catch((err: unknown) => {
        ctx.log.warn("could not drop an earlier attempt's partial upload", {
          videoId: req.videoId,
          error: err instanceof Error ? err.message : String(err),
        });
      });
    }
    return stored;
  }

  return {
    async downloadVideo(req: DownloadRequest): Promise<StoredVideo> {
      try {
        return await fetchIntoStore(req, deps.maxBytes);
      } catch (err) {
        throw err instanceof OverLimit ? tooLarge(err) : err;
      }
    },

    /**
     * A video fetched inside a workflow task (a local activity), up to `limitBytes`: a larger one
     * is answered at its declared length (or at the bound) so the job can hand it to
     * `downloadVideo`. Past the configured maximum it is refused as `downloadVideo` would.
     */
    async downloadSmallVideo(
      req: DownloadRequest & { limitBytes: number },
    ): Promise<StoredVideo | LargerThanQuickBound> {
      try {
        return await fetchIntoStore(req, Math.min(req.limitBytes, deps.maxBytes));
      } catch (err) {
        if (!(err instanceof OverLimit)) throw err;
        if (err.limit < deps.maxBytes) return { largerThan: err.limit };
        throw tooLarge(err);
      }
    },

    /** Drops what a download that gave up kept for its retries: a partial file, open uploads. */
    async discardPartialVideo(req: { videoId: string }): Promise<number> {
      return deps.store.discardPartial(req.videoId);
    },
  };
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
