import { loadConfig } from '../config.js';
import { exitOnFailure } from '../exit-on-failure.js';
import { ensureBucket } from './ensure-bucket.js';
import { createS3Client } from './s3-client.js';

/**
 * One-shot for deployments with their own object store (docker-compose.yml): creates S3_BUCKET
 * if it is missing, with the app's own S3 settings. `node dist/src/storage/create-bucket.js`
 */
async function main(): Promise<void> {
  const { objectStore } = loadConfig();
  const client = createS3Client(objectStore);
  try {
    const created = await ensureBucket(client, objectStore.bucket);
    process.stdout.write(`bucket ${objectStore.bucket} ${created ? 'created' : 'found'}\n`);
  } finally {
    client.destroy();
  }
}

main().catch(exitOnFailure('create-bucket', { oneLine: true }));
