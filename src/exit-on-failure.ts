import { ConfigError } from './config.js';

type ErrorClass = new (...args: never[]) => Error;

/**
 * The `.catch` of a process entry's `main()`: prints why the process cannot run — a bad
 * setting (or, for a CLI, a bad argument: `plain`) as its one-line message, anything else with
 * its stack — and exits with `code`.
 */
export function exitOnFailure(
  processName: string,
  { code = 1, plain = [] as ErrorClass[] } = {},
): (err: unknown) => never {
  return (err: unknown) => {
    const message = [ConfigError, ...plain].some((c) => err instanceof c)
      ? (err as Error).message
      : err instanceof Error
        ? (err.stack ?? err.message)
        : String(err);
    process.stderr.write(`${processName}: ${message}\n`);
    process.exit(code);
  };
}
