import { signUrlToken, type UrlTokenKey } from './webhook-url-token.js';

/**
 * The URL Floodgate gives the provider for one video: the video and tenant route the event,
 * the token proves Floodgate issued this URL for exactly them, so a signed delivery replayed to
 * another video's URL is refused. Used by the worker on submit and by `POST /videos/webhook-url`.
 */
export function videoWebhookUrl(
  publicBaseUrl: string,
  keys: readonly UrlTokenKey[],
  videoId: string,
  tenantId: string,
): string {
  const url = new URL('/webhooks/replicate', publicBaseUrl);
  url.searchParams.set('videoId', videoId);
  url.searchParams.set('tenantId', tenantId);
  url.searchParams.set('token', signUrlToken(keys, videoId, tenantId));
  return url.toString();
}
