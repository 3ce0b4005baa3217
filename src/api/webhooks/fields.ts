import { BadRequestError } from '../errors.js';
import { FIELD_LIMITS } from '../field-limits.js';

/**
 * Small readers for untrusted input that answer 400 naming the field they could not use.
 * Every string reader takes the field's length limit: nothing unbounded gets past them.
 */
export function asObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidField(field, 'must be a JSON object');
  }
  return value as Record<string, unknown>;
}

export function optionalString(
  obj: Record<string, unknown>,
  field: string,
  maxLength: number,
  path = field,
): string | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidField(path, 'must be a string');
  return bounded(value, path, maxLength);
}

export function requiredString(
  obj: Record<string, unknown>,
  field: string,
  maxLength: number,
  path = field,
): string {
  const value = optionalString(obj, field, maxLength, path);
  if (!value) throw invalidField(path, 'is required');
  return value;
}

/** Over the limit is a 400, never a silent cut: the sender learns its value was not kept. */
export function bounded(value: string, field: string, maxLength: number): string {
  if (value.length > maxLength) throw invalidField(field, `is longer than ${maxLength} characters`);
  return value;
}

export function optionalHttpUrl(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  bounded(value, field, FIELD_LIMITS.url);
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {
    // answered below
  }
  throw invalidField(field, 'must be an http(s) URL');
}

/** An ISO-8601 (or any Date-parsable) time, bounded. */
export function optionalTimestamp(
  obj: Record<string, unknown>,
  field: string,
  path = field,
): string | undefined {
  const value = optionalString(obj, field, FIELD_LIMITS.timestamp, path);
  if (value !== undefined && Number.isNaN(Date.parse(value))) throw invalidField(path, 'is not a date-time');
  return value;
}

/** A header or query parameter given once, or not at all; repeated is a 400. */
export function singleValue(value: string | string[] | undefined, field: string): string | undefined {
  if (Array.isArray(value)) {
    if (value.length > 1) throw invalidField(field, 'must be given once');
    return value[0];
  }
  return value;
}

export function invalidField(field: string, problem: string): BadRequestError {
  return new BadRequestError(`${field} ${problem}`, 'invalid_field');
}
