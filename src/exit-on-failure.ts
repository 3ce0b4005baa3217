import { ConfigError } from './config.js';

/**
 * The `.catch` of a process entry's `main()`: prints why the process cannot run — a bad
 * setting as its one-line message, anything else with its stack — and exits 1.
 */
export function exitOnFailure(processName: string): (err: unknown) => never {
  return (err: unknown) => {
    const message =
      err instanceof ConfigError
        ? err.message
        : err instanceof Error
          ? (err.stack ?? err.message)
          : String(err);
    process.stderr.write(`${processName}: ${message}\n`);
    process.exit(1);
  };
}
