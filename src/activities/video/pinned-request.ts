import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import type { ResolvedAddress } from './download-address.js';

/**
 * GETs `url` over a new connection to `target`, the address that was checked: the socket's
 * name lookup answers only that address, so DNS cannot change between check and connect. The
 * URL's host name still goes in the Host header and TLS SNI, and the server's certificate is
 * verified against that name as usual. No pooled connection is reused (`agent: false`).
 */
export function pinnedGet(
  url: URL,
  target: ResolvedAddress,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<Response> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { headers, signal, agent: false, lookup: pinnedLookup(target) }, (res) => {
      try {
        resolve(toResponse(res));
      } catch (err) {
        // e.g. a status Response cannot carry (above 599): the answer is unusable.
        res.destroy();
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    req.once('error', reject);
    req.end();
  });
}

/** A lookup that answers the checked address for any name, in both of the shapes net asks for. */
export function pinnedLookup(target: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}

/** The answer as a fetch Response, so the download reads it as it did with fetch. */
function toResponse(res: IncomingMessage): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value])
      headers.append(name, v);
  }
  const status = res.statusCode ?? 0;
  const bodyless = status === 204 || status === 205 || status === 304;
  if (bodyless) res.resume();
  const body = bodyless ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
  return new Response(body, { status, headers });
}
