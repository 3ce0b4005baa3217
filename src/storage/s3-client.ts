import { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config.js';

export type ObjectStoreConfig = Config['objectStore'];

/** The S3 client for the configured endpoint; without keys the SDK's default chain applies. */
export function createS3Client(config: ObjectStoreConfig): S3Client {
  return new S3Client({
    region: config.region,
    ...(config.endpoint && { endpoint: config.endpoint }),
    forcePathStyle: config.forcePathStyle,
    ...(config.credentials && { credentials: config.credentials }),
  });
}
