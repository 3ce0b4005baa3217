import { videoWebhookUrl } from '../src/api/webhooks/video-webhook-url.js';
import type { UrlTokenKey } from '../src/api/webhooks/webhook-url-token.js';

/**
 * Webhook URLs (token included) for the load's videos, a new video each call: `load-<run>-<n>`,
 * tenant `bench`, with a run id of their own so two loads on one stack never share a video.
 */
export function loadWebhookUrls(apiUrl: string, urlTokenKeys: readonly UrlTokenKey[]): () => string {
  const run = Math.random().toString(36).slice(2, 8);
  let jobs = 0;
  return () => videoWebhookUrl(apiUrl, urlTokenKeys, `load-${run}-${(jobs += 1)}`, 'bench');
}
