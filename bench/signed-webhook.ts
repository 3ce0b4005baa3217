import type { Agent } from 'node:http';
import { request } from 'node:http';
import { signStandardWebhook } from '../src/api/webhooks/standard-webhooks-signature.js';
import type { WebhookDelivery } from '../src/api/webhooks/webhook-adapter.js';
import { signUrlToken, type UrlTokenKey } from '../src/api/webhooks/webhook-url-token.js';

/**
 * A Replicate prediction webhook for `predictionId`, signed as the provider signs it, for the
 * video of the same id: its query is that video's webhook URL's (token included).
 */
export function signedReplicateWebhook(
  secret: string,
  urlTokenKeys: readonly UrlTokenKey[],
  messageId: string,
  predictionId: string,
  status: string,
): WebhookDelivery {
  const body = Buffer.from(
    JSON.stringify({ id: predictionId, status, created_at: new Date().toISOString() }),
  );
  const timestamp = String(Math.floor(Date.now() / 1000));
  return {
    rawBody: body,
    headers: {
      'webhook-id': messageId,
      'webhook-timestamp': timestamp,
      'webhook-signature': signStandardWebhook(secret, messageId, timestamp, body),
    },
    query: {
      videoId: predictionId,
      tenantId: 'bench',
      token: signUrlToken(urlTokenKeys, predictionId, 'bench'),
    },
  };
}

/** `base` with the delivery's query on it. */
export function deliveryUrl(base: string | URL, d: WebhookDelivery): URL {
  const url = new URL(base);
  for (const [name, value] of Object.entries(d.query))
    if (typeof value === 'string') url.searchParams.set(name, value);
  return url;
}

/**
 * POSTs a delivery (to `url` with the delivery's query) with node:http over the caller's kept-alive agent: the cheapest client Node
 * has, so the bench's own CPU (it shares the machine with the stack) weighs as little as it
 * can. Resolves with the status once the whole answer is read.
 */
export function postWebhook(agent: Agent, url: URL, d: WebhookDelivery): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const req = request(
      deliveryUrl(url, d),
      {
        method: 'POST',
        agent,
        timeout: 10_000,
        headers: {
          'content-type': 'application/json',
          'content-length': String(d.rawBody.length),
          ...(d.headers as Record<string, string>),
        },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
        res.once('error', reject);
      },
    );
    req.once('timeout', () => req.destroy(new Error('webhook route: no answer in 10 s')));
    req.once('error', reject);
    req.end(d.rawBody);
  });
}
