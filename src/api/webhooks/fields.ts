import { BadRequestError } from '../errors.js';

/** Small readers for untrusted JSON that answer 400 naming the field they could not use. */
export function asObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidField(field, 'must be a JSON object');
  }
  return value as Record<string, unknown>;
}

export function optionalString(
  obj: Record<string, unknown>,
  field: string,
  path = field,
): string | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidField(path, 'must be a string');
  return value;
}

export function requiredString(obj: Record<string, unknown>, field: string, path = field): string {
  const value = optionalString(obj, field, path);
  if (!value) throw invalidField(path, 'is required');
  return value;
}

export function optionalHttpUrl(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {
    // answered below
  }
  throw invalidField(field, 'must be an http(s) URL');
}

export function invalidField(field: string, problem: string): BadRequestError {
  return new BadRequestError(`${field} ${problem}`, 'invalid_field');
}
