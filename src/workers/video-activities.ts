import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createDownloadActivities } from '../activities/video/download-activities.js';
import { createProviderActivities } from '../activities/video/provider-activities.js';
import { ReplicateClient } from '../activities/video/replicate-client.js';
import { createVideoStore } from '../storage/create-video-store.js';

/** Builds the video lane's activities (provider calls, downloads, storage) from their real dependencies. */
export function buildVideoActivities(config: Config, _log: Logger) {
  const client = new ReplicateClient({
    baseUrl: config.provider.baseUrl,
    apiToken: config.provider.apiToken,
  });
  return {
    ...createProviderActivities({
      client,
      modelVersion: config.provider.modelVersion,
      webhookUrlFor: ({ videoId, tenantId }) =>
        replicateWebhookUrl(config.api.publicBaseUrl, videoId, tenantId),
    }),
    ...createDownloadActivities({
      store: createVideoStore(config),
      allowedHosts: config.provider.downloadAllowedHosts,
      allowedAddresses: config.provider.downloadAllowedAddresses,
      allowedPorts: config.provider.downloadAllowedPorts,
      maxBytes: config.provider.downloadMaxBytes,
    }),
  };
}

/** The URL Floodgate gives the provider: the video and tenant ride along so the webhook adapter can route it. */
export function replicateWebhookUrl(publicBaseUrl: string, videoId: string, tenantId: string): string {
  const url = new URL('/webhooks/replicate', publicBaseUrl);
  url.searchParams.set('videoId', videoId);
  url.searchParams.set('tenantId', tenantId);
  return url.toString();
}
