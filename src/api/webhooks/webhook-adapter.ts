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
 * One per webhook source. `verify` bounds the signature headers (BadRequestError) and checks
 * the signature on the raw bytes before anything parses them (UnauthorizedError); `normalize`
 * turns the parsed body into an event and throws BadRequestError naming the field it could
 * not use. Neither throws anything else, whatever the input.
 */
export interface WebhookAdapter {
  readonly source: string;
  verify(delivery: WebhookDelivery, nowMs: number): void;
  normalize(body: unknown, delivery: WebhookDelivery): NormalizedWebhook;
}
