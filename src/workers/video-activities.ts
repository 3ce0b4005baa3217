import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createDownloadActivities } from '../activities/video/download-activities.js';
import { createProviderActivities } from '../activities/video/provider-activities.js';
import { ReplicateClient } from '../activities/video/replicate-client.js';
import { createVideoStore } from '../storage/create-video-store.js';
import { videoWebhookUrl } from '../api/webhooks/video-webhook-url.js';

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
        videoWebhookUrl(config.api.publicBaseUrl, config.webhooks.urlTokenKeys, videoId, tenantId),
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
