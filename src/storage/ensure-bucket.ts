import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * Makes sure the bucket exists; true when it created it. Throws while the store does not answer
 * (callers that wait for a starting store retry on that).
 */
export async function ensureBucket(client: S3Client, Bucket: string): Promise<boolean> {
  try {
    await client.send(new HeadBucketCommand({ Bucket }));
    return false;
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 403) {
      // A HEAD answer has no body: without this the SDK's error says only "UnknownError".
      throw new Error(`the object store refused access to bucket ${Bucket} (HTTP 403): check the S3 keys`);
    }
    if (status !== 404) throw err;
  }
  await client.send(new CreateBucketCommand({ Bucket }));
  return true;
}
