import { isValidVideoId } from '../../shared/video-job.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import { FIELD_LIMITS } from '../field-limits.js';
import { bounded, invalidField, singleValue } from './fields.js';
import type { WebhookDelivery } from './webhook-adapter.js';
import { urlTokenMatches, type UrlTokenKey } from './webhook-url-token.js';

export interface UrlRoute {
  videoId: string;
  tenantId: string;
}

/**
 * The video a replicate delivery is for, from the URL Floodgate issued: `videoId`, `tenantId`
 * and the `token` over both. Malformed or repeated values are a 400; a missing one is a 401;
 * a token that is not this video's and tenant's is a 403 — so a signed delivery replayed to
 * another video's URL moves nothing.
 */
export function verifiedUrlRoute(delivery: WebhookDelivery, keys: readonly UrlTokenKey[]): UrlRoute {
  const videoId = idParam(delivery, 'videoId');
  const tenantId = idParam(delivery, 'tenantId');
  const token = singleValue(delivery.query.token, 'token');
  if (token !== undefined) bounded(token, 'token', FIELD_LIMITS.urlToken);
  if (videoId === undefined || tenantId === undefined || !token) {
    throw new UnauthorizedError(
      'webhook URL lacks videoId, tenantId or token; use the URL Floodgate issued for the video',
      'missing_url_token',
    );
  }
  if (!urlTokenMatches(keys, token, videoId, tenantId))
    throw new ForbiddenError('webhook URL token is not valid for this video', 'bad_url_token');
  return { videoId, tenantId };
}

function idParam(delivery: WebhookDelivery, name: string): string | undefined {
  const value = singleValue(delivery.query[name], name);
  if (value !== undefined && !isValidVideoId(value))
    throw invalidField(name, 'must match [A-Za-z0-9_-]{1,128}');
  return value;
}
