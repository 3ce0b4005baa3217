import { KeyedRateLimit } from './keyed-rate-limit.js';

export interface ResetLimitsOptions {
  /** Requests per user per window, at least `cooldownMs` apart. */
  perUser: number;
  /** Requests per email address per window, whichever user ids they name. */
  perAddress: number;
  windowMs: number;
  cooldownMs: number;
  /** Requests per second across every user, in this process. */
  overallPerSecond: number;
}

const SCOPES = ['user', 'address', 'overall'] as const;
export type ResetLimitScope = (typeof SCOPES)[number];

export type ResetAdmission =
  /** `release` gives the admission back when the request could not be recorded (e.g. Temporal down). */
  { admitted: true; release: () => void } | { admitted: false; scope: ResetLimitScope; retryAfterMs: number };

/**
 * The password-reset limits, decided before anything reaches Temporal. A request is admitted
 * only if every limit has room, and only an admitted request counts against them, so a flood
 * that is refused cannot use up another user's or address's allowance.
 */
export class ResetLimits {
  private readonly limits: Record<ResetLimitScope, KeyedRateLimit>;

  constructor(opts: ResetLimitsOptions) {
    this.limits = {
      user: new KeyedRateLimit({
        limit: opts.perUser,
        windowMs: opts.windowMs,
        minIntervalMs: opts.cooldownMs,
      }),
      address: new KeyedRateLimit({ limit: opts.perAddress, windowMs: opts.windowMs }),
      overall: new KeyedRateLimit({ limit: opts.overallPerSecond, windowMs: 1_000 }),
    };
  }

  admit(request: { userId: string; email: string }, now = Date.now()): ResetAdmission {
    const keys: Record<ResetLimitScope, string> = {
      user: request.userId,
      address: addressKey(request.email),
      overall: '',
    };
    let refused: { scope: ResetLimitScope; retryAfterMs: number } | undefined;
    for (const scope of SCOPES) {
      const waitMs = this.limits[scope].waitMs(keys[scope], now);
      // The first limit hit names the refusal; the longest wait is when all would have room.
      if (waitMs > 0)
        refused = {
          scope: refused?.scope ?? scope,
          retryAfterMs: Math.max(waitMs, refused?.retryAfterMs ?? 0),
        };
    }
    if (refused) return { admitted: false, ...refused };
    for (const scope of SCOPES) this.limits[scope].take(keys[scope], now);
    return {
      admitted: true,
      release: () => {
        for (const scope of SCOPES) this.limits[scope].untake(keys[scope], now);
      },
    };
  }
}

/**
 * One mailbox, one key: case is folded and a `+tag` dropped, since `Ada+1@x` and `ada@x` reach
 * the same inbox. Provider-specific aliases (dots at some providers) are not folded.
 */
export function addressKey(email: string): string {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at).split('+')[0];
  return `${local}@${email.slice(at + 1)}`.toLowerCase();
}
