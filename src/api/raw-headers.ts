import type { IncomingMessage } from 'node:http';
import { singleValue } from './webhooks/fields.js';

/**
 * Every value of one header, as the request carried it. Node folds a repeated header into one
 * value (joined with ", ", or only the first kept for Authorization), which hides a header
 * given twice from `req.headers`; `rawHeaders` still lists each line.
 */
export function rawHeaderValues(req: IncomingMessage, name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === wanted) values.push(req.rawHeaders[i + 1]!);
  }
  return values;
}

/** A header given once or not at all; given twice is a 400 naming it (`singleValue`). */
export function singleHeader(req: IncomingMessage, name: string): string | undefined {
  const values = rawHeaderValues(req, name);
  return singleValue(values.length > 1 ? values : values[0], name);
}

/**
 * The request's headers (lower-case names) with each repeated one as the list of its values,
 * so a reader that takes one value (`singleValue`) sees the repeat and refuses it.
 */
export function headersKeepingRepeats(req: IncomingMessage): Record<string, string | string[] | undefined> {
  const headers: Record<string, string | string[] | undefined> = { ...req.headers };
  const seen = new Set<string>();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    if (seen.has(name)) headers[name] = rawHeaderValues(req, name);
    seen.add(name);
  }
  return headers;
}
