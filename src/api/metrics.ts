import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of the API process, served on GET /metrics. */
export function createApiMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    webhooks: new Counter({
      name: 'floodgate_webhooks_total',
      help: 'Webhook deliveries by source and outcome (accepted, duplicate, late, rejected_*, unavailable)',
      labelNames: ['source', 'outcome'] as const,
      registers: [registry],
    }),
    webhookAckSeconds: new Histogram({
      name: 'floodgate_webhook_ack_seconds',
      help: 'Time from request to answer for webhook deliveries',
      labelNames: ['source'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    admissionLimit: new Gauge({
      name: 'floodgate_webhook_admission_limit',
      help: 'Current concurrency limit of webhook intake (adapts to ack latency)',
      registers: [registry],
    }),
    admissionInFlight: new Gauge({
      name: 'floodgate_webhook_admission_in_flight',
      help: 'Webhook deliveries being handled now',
      registers: [registry],
    }),
    admissionRejected: new Counter({
      name: 'floodgate_webhook_admission_rejected_total',
      help: 'Webhook deliveries answered 503 by admission control (senders retry)',
      registers: [registry],
    }),
    passwordResetRefused: new Counter({
      name: 'floodgate_password_reset_refused_total',
      help: 'Password-reset requests answered 429, by the limit hit (user, address, overall)',
      labelNames: ['scope'] as const,
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: 'floodgate_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
  };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;
