import type { Config } from '../config.js';
import { createLocalVideoStore } from './local-video-store.js';
import { createS3Client } from './s3-client.js';
import { createS3VideoStore } from './s3-video-store.js';
import type { VideoStore } from './video-store.js';

/** The configured video store: the local folder (`npm start`) or an S3 bucket. */
export function createVideoStore(config: Config): VideoStore {
  const o = config.objectStore;
  if (o.backend === 'local') return createLocalVideoStore(config.storageDir);
  return createS3VideoStore({
    client: createS3Client(o),
    bucket: o.bucket,
    prefix: o.prefix,
    partSize: o.partSize,
  });
}
