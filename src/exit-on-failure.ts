import { ConfigError } from './config.js';
import { StartupError } from './startup-error.js';

type ErrorClass = new (...args: never[]) => Error;

export interface ExitOptions {
  code?: number;
  /** Errors (besides ConfigError and StartupError) whose message alone says it all, e.g. a CLI's bad argument. */
  plain?: ErrorClass[];
  /**
   * One line on stderr whatever went wrong (the stack's start commands): an unexpected error
   * gives its message, and its stack trace only when `stackTraces` is set (LOG_LEVEL=debug).
   */
  oneLine?: boolean;
  stackTraces?: boolean;
  /**
   * A configuration refused for several reasons prints one line per reason, each complete on
   * its own (a container's log shows every line as an entry of its own).
   */
  linePerProblem?: boolean;
}

/**
 * The `.catch` of a process entry's `main()`: prints why the process cannot run — a bad
 * setting, a known start-up failure (or, for a CLI, a bad argument: `plain`) as its message,
 * anything else with its stack unless `oneLine` — and exits with `code`.
 */
export function exitOnFailure(
  processName: string,
  { code = 1, plain = [], oneLine = false, stackTraces = false, linePerProblem = false }: ExitOptions = {},
): (err: unknown) => never {
  return (err: unknown) => {
    const known = [ConfigError, StartupError, ...plain].some((c) => err instanceof c);
    let message: string;
    if (linePerProblem && err instanceof ConfigError) {
      message = linesPerProblem(err.message).join(`\n${processName}: `);
    } else if (known) {
      const text = (err as Error).message;
      message = oneLine ? asOneLine(text) : text;
      if (oneLine && err instanceof ConfigError) message += '; fix that setting and start again';
    } else if (!(err instanceof Error)) {
      message = String(err);
    } else if (!oneLine || stackTraces) {
      message = err.stack ?? err.message;
    } else {
      message =
        `could not start: ${asOneLine(err.message)} ` +
        '(unexpected; run again with LOG_LEVEL=debug to see where it came from)';
    }
    process.stderr.write(`${processName}: ${message}\n`);
    process.exit(code);
  };
}

/** "invalid configuration:\n  A: x\n  B: y" → "invalid configuration: A: x; B: y". */
export function asOneLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.reduce(
    (out, line, i) => (i === 0 ? line : `${out}${out.endsWith(':') ? ' ' : '; '}${line}`),
    '',
  );
}

/** "invalid configuration:\n  A: x\n  B: y" → ["invalid configuration: A: x", "invalid configuration: B: y"]. */
export function linesPerProblem(text: string): string[] {
  const [header = '', ...problems] = text.split('\n').filter((l) => l.trim());
  if (problems.length === 0) return [header];
  return problems.map((p) => `${header} ${p.trim()}`);
}
