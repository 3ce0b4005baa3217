import type { Logger } from '../logger.js';

/**
 * Warns of the first 5xx answer of each code in a window and counts the rest into the next line.
 * While Temporal is down or a burst is shed, every webhook is answered 503: a line per answer
 * would bury the log (and cost the CPU the burst is short of); the metrics count every one.
 */
export class RefusalLog {
  private readonly windows = new Map<string, { startedAt: number; unlogged: number }>();

  constructor(
    private readonly log: Logger,
    private readonly windowMs = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  warn(code: string, fields: Record<string, unknown>, message: string): void {
    const at = this.now();
    const window = this.windows.get(code);
    if (window && at - window.startedAt < this.windowMs) {
      window.unlogged += 1;
      return;
    }
    const unlogged = window?.unlogged ?? 0;
    this.windows.set(code, { startedAt: at, unlogged: 0 });
    this.log.warn({ code, ...fields, ...(unlogged > 0 && { alsoAnsweredSinceLastLine: unlogged }) }, message);
  }
}
