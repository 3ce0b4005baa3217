/**
 * The longest value Floodgate accepts for each id, header and field that comes from outside,
 * checked before the value is used; over it the answer is 400 naming the field. Documented in
 * docs/api.md's input limits: change both together.
 */
export const FIELD_LIMITS = {
  /** `webhook-id` header (the replicate source's event id), printable ASCII. */
  webhookId: 256,
  /** `webhook-signature` header: room for a few `v1,<base64>` entries during a secret rotation. */
  webhookSignature: 1024,
  /** `X-Signature` header: `sha256=` and 64 hex digits, with room for whitespace. */
  xSignature: 128,
  /** `Idempotency-Key` header of `POST /videos`, printable ASCII. */
  idempotencyKey: 255,
  /** `event_id` of the generic source. */
  eventId: 256,
  /** Video ids, tenant ids and provider prediction ids: `[A-Za-z0-9_-]`. */
  id: 128,
  /** `token` query parameter of a webhook URL: `<key id>.<43 base64url characters>`. */
  urlToken: 80,
  /** Status words. */
  status: 32,
  /** Download URLs. */
  url: 2048,
  /** A provider's error text. */
  errorText: 2000,
  /** ISO-8601 times the source says an event happened. */
  timestamp: 64,
  /** The `input` object of `POST /videos`, as JSON bytes. */
  videoInputBytes: 16 * 1024,
  /** `requesterEmail` and a password reset's `email`. */
  email: 320,
  /** A password reset's `userId`. */
  userId: 200,
  /** A password reset token presented for redemption. */
  resetToken: 512,
} as const;
