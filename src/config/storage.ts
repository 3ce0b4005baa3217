import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { bool, port, positiveInt, type Parsed } from './setting-types.js';

/** Where state and stored videos live: DATA_DIR, or an S3-compatible bucket. */
export const storageSettings = {
  // Storage
  DATA_DIR: z
    .string()
    .default('.data')
    .meta({ description: 'dev server state, stored videos (`videos/`), received mail (`mail/`)' }),
  // Object storage: `npm start` keeps videos in DATA_DIR/videos; start:cluster defaults to `s3`.
  STORAGE_BACKEND: z.enum(['local', 's3']).default('local').meta({
    description:
      '`s3`: videos go to an S3-compatible bucket (multipart, resumable); `start:cluster` defaults to `s3` and, without `S3_ENDPOINT`, runs its own object store',
  }),
  S3_ENDPOINT: z.url().optional().meta({
    description: 'S3 endpoint URL (e.g. `http://object-store:7070`); unset: AWS S3 for `S3_REGION`',
    shown: 'AWS S3',
  }),
  S3_REGION: z.string().default('us-east-1').meta({ description: 'S3 region (signing region)' }),
  S3_BUCKET: z.string().default('floodgate-videos').meta({ description: 'bucket the videos go to' }),
  S3_PREFIX: z.string().default('videos/').meta({ description: 'key prefix: a video is `<prefix><id>.mp4`' }),
  S3_FORCE_PATH_STYLE: bool
    .default(false)
    .meta({ description: '`true`: `endpoint/bucket/key` URLs (most self-hosted S3 servers need it)' }),
  S3_ACCESS_KEY_ID: z.string().optional().meta({
    description: 'S3 access key; unset: the AWS SDK default chain (environment, profile, instance role)',
  }),
  S3_SECRET_ACCESS_KEY: z
    .string()
    .optional()
    .meta({ description: 'S3 secret key (with `S3_ACCESS_KEY_ID`)' }),
  S3_PART_SIZE: positiveInt
    .min(5 * 1024 * 1024, 'must be at least 5 MiB (S3 minimum part size)')
    .default(8 * 1024 * 1024)
    .meta({ description: 'multipart part size in bytes; a crashed download resumes after its last part' }),
  CLUSTER_OBJECT_STORE_PORT: port
    .default(7070)
    .meta({ description: "cluster profile: its own object store's S3 port (when `S3_ENDPOINT` is unset)" }),
};

export type StorageEnv = Parsed<typeof storageSettings>;

export function checkS3Credentials(e: StorageEnv): void {
  if (Boolean(e.S3_ACCESS_KEY_ID) !== Boolean(e.S3_SECRET_ACCESS_KEY)) {
    // Half a key pair would silently fall back to the SDK's default chain (another identity).
    throw new ConfigError(
      'invalid configuration:\n  S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY: set both or neither',
    );
  }
}

export function objectStoreSection(e: StorageEnv) {
  return {
    backend: e.STORAGE_BACKEND,
    /** Undefined: AWS S3 (or, in start:cluster, the profile's own object store). */
    endpoint: e.S3_ENDPOINT,
    region: e.S3_REGION,
    bucket: e.S3_BUCKET,
    prefix: e.S3_PREFIX,
    forcePathStyle: e.S3_FORCE_PATH_STYLE,
    credentials:
      e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY }
        : undefined,
    partSize: e.S3_PART_SIZE,
    clusterPort: e.CLUSTER_OBJECT_STORE_PORT,
  };
}
