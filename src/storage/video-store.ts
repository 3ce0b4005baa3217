/**
 * Where downloaded videos go. The download activity streams the provider's bytes into a
 * writer and heartbeats the writer's progress; a retried attempt, on this machine or another,
 * opens the store with that progress and continues where the stored bytes end.
 */

export interface StoredVideo {
  /** A local file path, or `s3://bucket/key`. */
  storedPath: string;
  bytes: number;
  sha256: string;
}

/** What a download attempt checkpoints in its heartbeats; the next attempt resumes from it. */
export interface DownloadProgress {
  /** Bytes kept where the next attempt can find them. */
  offset: number;
  /** The S3 multipart upload that holds those bytes. */
  uploadId?: string;
}

export interface ExpectedVideo {
  bytes?: number;
  sha256?: string;
}

export interface VideoWriter {
  /** Where this attempt may resume (bytes kept by earlier attempts). */
  readonly offset: number;
  /** Starts writing at `start`: `offset`, or 0 when the server sent the whole file. */
  begin(start: number): Promise<void>;
  write(chunk: Uint8Array): Promise<void>;
  /** The checkpoint to heartbeat after each chunk. */
  progress(): DownloadProgress;
  /** Verifies the whole file against `expectedSha256` (if any) and makes it the stored video. */
  finish(expectedSha256: string): Promise<StoredVideo>;
  /** Ends this attempt keeping the resumable bytes. */
  close(): Promise<void>;
  /** Ends this attempt and drops every byte kept so far. */
  discard(): Promise<void>;
}

export interface VideoStore {
  /** The stored video when an earlier attempt or run already finished it. */
  finished(videoId: string, expected: ExpectedVideo): Promise<StoredVideo | undefined>;
  open(videoId: string, checkpoint: DownloadProgress | undefined): Promise<VideoWriter>;
  /**
   * Drops every resumable byte kept for `videoId` (a partial file, open multipart uploads): what
   * a download that gave up leaves behind. Returns how many it dropped; a finished video stays.
   */
  discardPartial(videoId: string): Promise<number>;
}
