import type { ProviderEvent, VideoPlan } from '../../shared/video-job.js';

/** What a webhook route knows about one delivery before it trusts any of it. */
export interface WebhookDelivery {
  rawBody: Buffer;
  /** Lower-case header names. */
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string | string[] | undefined>;
}

/** A provider event plus what adoption of an unknown video needs. */
export interface NormalizedWebhook {
  event: ProviderEvent;
  tenantId: string;
  plan: VideoPlan;
}

/**
 * One per webhook source. `verify` runs on the raw bytes before anything parses them and
 * throws UnauthorizedError; `normalize` turns the parsed body into an event and throws
 * BadRequestError naming the field it could not use.
 */
export interface WebhookAdapter {
  readonly source: string;
  verify(delivery: WebhookDelivery, nowMs: number): void;
  normalize(body: unknown, delivery: WebhookDelivery): NormalizedWebhook;
}

/** The first value of a header or query parameter. */
export function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
