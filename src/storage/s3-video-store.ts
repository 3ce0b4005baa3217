import { createHash, type Hash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { checksumMismatch } from './checksum-mismatch.js';
import type { DownloadProgress, StoredVideo, VideoStore, VideoWriter } from './video-store.js';

export interface S3VideoStoreOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix; a video is `<prefix><id>.mp4`. */
  prefix: string;
  /** Every part but the last has this size (S3 wants at least 5 MiB). */
  partSize: number;
}

/**
 * Videos in an S3 bucket, uploaded as the download goes: each full part is uploaded (with its
 * SHA-256, which the server checks) and the multipart upload's id rides in the activity's
 * heartbeat. A retried attempt on any machine lists the parts already stored and asks the
 * provider only for the bytes after them. The object becomes visible when the upload is
 * completed, after the whole file's checksum matched. A video smaller than one part has nothing
 * to resume (a retry fetches it again whole), so it is stored with a single PutObject instead.
 */
export function createS3VideoStore(opts: S3VideoStoreOptions): VideoStore {
  const { client, bucket } = opts;
  const keyOf = (videoId: string) => `${opts.prefix}${videoId}.mp4`;
  return {
    async finished(videoId, expected) {
      const Key = keyOf(videoId);
      const size = await objectSize(client, bucket, Key);
      if (size === undefined || size === 0) return undefined;
      if (expected.bytes !== undefined && size !== expected.bytes) return undefined;
      const sha256 = await objectSha256(client, bucket, Key);
      if (expected.sha256 && expected.sha256.toLowerCase() !== sha256) return undefined;
      return { storedPath: s3Uri(bucket, Key), bytes: size, sha256 };
    },

    async open(videoId, checkpoint) {
      const Key = keyOf(videoId);
      const kept = checkpoint?.uploadId
        ? await storedParts(client, bucket, Key, checkpoint.uploadId)
        : undefined;
      return s3Writer(
        opts,
        Key,
        checkpoint?.uploadId && kept ? { uploadId: checkpoint.uploadId, ...kept } : undefined,
      );
    },

    async discardPartial(videoId) {
      const Key = keyOf(videoId);
      const uploadIds = await openUploadIds(client, bucket, Key);
      for (const UploadId of uploadIds) {
        await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }));
      }
      return uploadIds.length;
    },
  };
}

/**
 * The ids of every multipart upload still open on exactly `Key`. Listed by the key itself, not
 * from a heartbeat: an attempt may have opened an upload after the last checkpoint it sent.
 */
async function openUploadIds(client: S3Client, Bucket: string, Key: string): Promise<string[]> {
  const ids: string[] = [];
  let KeyMarker: string | undefined;
  let UploadIdMarker: string | undefined;
  // Bounded: a download opens one upload per attempt from byte 0, and attempts are few.
  for (let page = 0; page < 10; page++) {
    const res = await client.send(
      new ListMultipartUploadsCommand({ Bucket, Prefix: Key, KeyMarker, UploadIdMarker }),
    );
    for (const u of res.Uploads ?? []) if (u.Key === Key && u.UploadId) ids.push(u.UploadId);
    if (!res.IsTruncated) break;
    KeyMarker = res.NextKeyMarker;
    UploadIdMarker = res.NextUploadIdMarker;
  }
  return ids;
}

interface KeptUpload {
  uploadId: string;
  parts: CompletedPart[];
  bytes: number;
}

function s3Writer(opts: S3VideoStoreOptions, Key: string, kept: KeptUpload | undefined): VideoWriter {
  const { client, bucket: Bucket, partSize } = opts;
  let uploadId = kept?.uploadId;
  let parts: CompletedPart[] = [];
  let committed = 0;
  let buffered: Buffer[] = [];
  let bufferedBytes = 0;
  // The whole file's hash, when this attempt saw every byte; else it is read back at the end.
  let hash: Hash | undefined;

  async function uploadPart(body: Buffer): Promise<void> {
    // Opened at the first part, not at the start: a video smaller than a part never needs one.
    uploadId ??= (
      await client.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: 'SHA256' }))
    ).UploadId;
    const PartNumber = parts.length + 1;
    const res = await client.send(
      new UploadPartCommand({
        Bucket,
        Key,
        UploadId: uploadId,
        PartNumber,
        Body: body,
        ChecksumAlgorithm: 'SHA256',
      }),
    );
    parts.push({ PartNumber, ETag: res.ETag, ChecksumSHA256: res.ChecksumSHA256 });
    committed += body.byteLength;
  }

  /** The whole video in one request, its SHA-256 checked here and again by the server. */
  async function putWhole(body: Buffer, digest: Buffer, expectedSha256: string): Promise<StoredVideo> {
    const sha256 = digest.toString('hex');
    if (expectedSha256 && sha256 !== expectedSha256) {
      await abort();
      throw checksumMismatch();
    }
    await client.send(
      new PutObjectCommand({ Bucket, Key, Body: body, ChecksumSHA256: digest.toString('base64') }),
    );
    // An upload kept by an earlier attempt that this one restarted from byte 0 is not needed.
    await abort();
    return { storedPath: s3Uri(Bucket, Key), bytes: body.byteLength, sha256 };
  }

  async function abort(): Promise<void> {
    if (!uploadId) return;
    await client
      .send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId }))
      .catch(() => undefined);
    uploadId = undefined;
  }

  return {
    offset: kept?.bytes ?? 0,
    async begin(start) {
      if (start > 0) {
        parts = [...kept!.parts];
        committed = kept!.bytes;
      } else {
        // From byte 0: a kept upload is reused and its parts overwritten from part 1.
        hash = createHash('sha256');
      }
    },
    async write(chunk) {
      hash?.update(chunk);
      buffered.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      bufferedBytes += chunk.byteLength;
      while (bufferedBytes >= partSize) {
        const all = Buffer.concat(buffered, bufferedBytes);
        await uploadPart(all.subarray(0, partSize));
        buffered = [all.subarray(partSize)];
        bufferedBytes -= partSize;
      }
    },
    progress: () => ({ offset: committed, uploadId }) satisfies DownloadProgress,
    async finish(expectedSha256): Promise<StoredVideo> {
      if (hash && parts.length === 0)
        return putWhole(Buffer.concat(buffered, bufferedBytes), hash.digest(), expectedSha256);
      if (bufferedBytes > 0) await uploadPart(Buffer.concat(buffered, bufferedBytes));
      const bytes = committed;
      const inline = hash?.digest('hex');
      if (inline !== undefined && expectedSha256 && inline !== expectedSha256) {
        await abort();
        throw checksumMismatch();
      }
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
      const sha256 = inline ?? (await objectSha256(client, Bucket, Key));
      if (expectedSha256 && sha256 !== expectedSha256) {
        await client.send(new DeleteObjectCommand({ Bucket, Key }));
        throw checksumMismatch();
      }
      return { storedPath: s3Uri(Bucket, Key), bytes, sha256 };
    },
    async close() {
      // Kept parts stay in the upload for the next attempt; the unsent tail is fetched again.
    },
    async discard() {
      await abort();
    },
  };
}

/** Parts 1…n of an upload as stored (contiguous from 1), or undefined when the upload is gone. */
async function storedParts(
  client: S3Client,
  Bucket: string,
  Key: string,
  UploadId: string,
): Promise<{ parts: CompletedPart[]; bytes: number } | undefined> {
  const parts: CompletedPart[] = [];
  let bytes = 0;
  let marker: string | undefined;
  // Bounded: S3 allows at most 10,000 parts, listed 1,000 at a time.
  for (let page = 0; page < 10; page++) {
    let res;
    try {
      res = await client.send(new ListPartsCommand({ Bucket, Key, UploadId, PartNumberMarker: marker }));
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchUpload') return undefined;
      throw err;
    }
    for (const p of res.Parts ?? []) {
      if (p.PartNumber !== parts.length + 1) return { parts, bytes };
      parts.push({ PartNumber: p.PartNumber, ETag: p.ETag, ChecksumSHA256: p.ChecksumSHA256 });
      bytes += p.Size ?? 0;
    }
    if (!res.IsTruncated) break;
    marker = res.NextPartNumberMarker;
  }
  return { parts, bytes };
}

async function objectSize(client: S3Client, Bucket: string, Key: string): Promise<number | undefined> {
  try {
    return (await client.send(new HeadObjectCommand({ Bucket, Key }))).ContentLength;
  } catch (err) {
    if ((err as { name?: string }).name === 'NotFound') return undefined;
    throw err;
  }
}

/** The stored object's SHA-256, read back from the bucket (after a resumed upload, or on a re-run). */
async function objectSha256(client: S3Client, Bucket: string, Key: string): Promise<string> {
  const res = await client.send(new GetObjectCommand({ Bucket, Key }));
  const hash = createHash('sha256');
  for await (const chunk of res.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
  return hash.digest('hex');
}

export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
