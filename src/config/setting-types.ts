import { z } from 'zod';
import { parseAddressRule } from '../activities/video/address-rules.js';

// The value types settings are made of, shared by every area's schema.

export const list = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string()).min(1, 'needs at least one comma-separated value'));

/** Allow-list entries (addresses or CIDR blocks), checked at start-up; `none` is the empty list. */
export function addressRules(entries: string[], ctx: z.RefinementCtx): string[] {
  if (entries.length === 1 && entries[0]?.toLowerCase() === 'none') return [];
  for (const entry of entries) {
    try {
      parseAddressRule(entry);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  }
  return entries;
}

/** Command-line arguments, space-separated; empty when unset. */
export const args = z
  .string()
  .default('')
  .transform((s) => s.split(/\s+/).filter(Boolean));

export const port = z.coerce.number().int().min(0).max(65535);
export const positiveInt = z.coerce.number().int().positive();
export const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Durations like 500ms, 30s, 10m, 2h; plain numbers are milliseconds. */
export const duration = z
  .string()
  .transform((s, ctx) => {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `"${s}" is not a duration (use e.g. 500ms, 30s, 10m, 2h)` });
      return z.NEVER;
    }
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 'ms'] ?? 1;
    return Math.round(Number(m[1]) * unit);
  })
  .meta({ format: 'duration' });

/** The parsed values of one area's settings (names as in the environment). */
export type Parsed<S extends z.ZodRawShape> = z.output<z.ZodObject<S>>;
