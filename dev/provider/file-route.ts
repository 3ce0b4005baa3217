import type { IncomingMessage, ServerResponse } from 'node:http';
import { roll, type ChaosKnobs } from './chaos.js';
import { fileBytes, parseRange, sha256Hex } from './file-content.js';
import { sendJson } from './http-io.js';
import type { Prediction } from './prediction.js';
import type { StatsBook } from './provider-stats.js';
import type { TimerSet } from './timer-set.js';

const CHUNK_BYTES = 16 * 1024;

/**
 * `GET /files/:id.mp4`: the output of a succeeded prediction, with Range support, its
 * Content-Length and an `X-Checksum-Sha256` of the whole file. Chaos may answer 500, pace
 * the body at a set speed, or cut the connection halfway through it.
 */
export function serveFile(
  req: IncomingMessage,
  res: ServerResponse,
  prediction: Prediction | undefined,
  deps: {
    chaos: ChaosKnobs;
    stats: StatsBook;
    timers: TimerSet;
    sizeBytes: number;
  },
): void {
  const routes = deps.stats.counters.routes;
  routes.fileRequests += 1;
  if (!prediction || prediction.status !== 'succeeded') {
    sendJson(res, 404, { detail: 'file not found' });
    return;
  }
  if (roll(deps.chaos.fileErrorPercent)) {
    routes.fileErrors += 1;
    sendJson(res, 500, { detail: 'simulated storage error' });
    return;
  }
  const bytes = fileBytes(prediction.id, deps.sizeBytes);
  const checksum = (prediction.checksum ??= sha256Hex(bytes));
  const headers: Record<string, string | number> = {
    'content-type': 'video/mp4',
    'accept-ranges': 'bytes',
    'x-checksum-sha256': checksum,
  };
  const range = parseRange(req.headers.range, bytes.length);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'content-range': `bytes */${bytes.length}` });
    res.end();
    return;
  }
  let body = bytes;
  let status: 200 | 206 = 200;
  if (range) {
    routes.rangeRequests += 1;
    status = 206;
    body = bytes.subarray(range.start, range.end + 1);
    headers['content-range'] = `bytes ${range.start}-${range.end}/${bytes.length}`;
  }
  routes.fileServed.push({ predictionId: prediction.id, status, start: range ? range.start : 0 });
  if (routes.fileServed.length > 100) routes.fileServed.shift();
  headers['content-length'] = body.length;
  res.writeHead(status, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const truncateAt = roll(deps.chaos.truncatePercent) ? Math.floor(body.length / 2) : undefined;
  if (truncateAt !== undefined) routes.fileTruncated += 1;
  streamBody(res, body, deps.chaos.fileBytesPerSecond, truncateAt, deps.timers);
}

/** Writes the body in chunks, paced to `bytesPerSecond` when set, cut at `truncateAt` when set. */
function streamBody(
  res: ServerResponse,
  body: Buffer,
  bytesPerSecond: number,
  truncateAt: number | undefined,
  timers: TimerSet,
): void {
  const limit = truncateAt ?? body.length;
  const chunk =
    bytesPerSecond > 0 ? Math.max(1, Math.min(CHUNK_BYTES, Math.floor(bytesPerSecond / 10))) : CHUNK_BYTES;
  const pauseMs = bytesPerSecond > 0 ? (chunk / bytesPerSecond) * 1000 : 0;
  let offset = 0;
  const next = (): void => {
    if (res.destroyed) return;
    if (offset >= limit) {
      if (truncateAt !== undefined) res.destroy();
      else res.end();
      return;
    }
    const end = Math.min(limit, offset + chunk);
    const slice = body.subarray(offset, end);
    offset = end;
    if (end >= limit && truncateAt !== undefined) {
      // Cut the connection only once the partial body has reached the socket.
      res.write(slice, () => res.destroy());
      return;
    }
    const writable = res.write(slice);
    if (pauseMs > 0) timers.after(pauseMs, next);
    else if (writable) setImmediate(next);
    else res.once('drain', next);
  };
  next();
}
