import { createCipheriv, createHash } from 'node:crypto';

/**
 * The bytes of a prediction's output file: deterministic pseudo-random content derived from
 * the prediction id (AES-CTR keystream), so any byte range can be served again identically
 * after a resumed download, and the checksum is stable.
 */
export function fileBytes(predictionId: string, size: number): Buffer {
  const key = createHash('sha256').update(`floodgate-sim-file:${predictionId}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Parses a single `Range: bytes=N-` / `bytes=N-M` / `bytes=-N` header. Returns undefined when
 * there is no usable range (serve the whole file) and 'unsatisfiable' for a 416.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}
