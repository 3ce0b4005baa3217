/**
 * A known reason a process cannot start (a missing program, a port in use, a database that
 * will not come up), worded as what is wrong and what to do. Entry points print its message
 * as one line, without a stack trace.
 */
export class StartupError extends Error {}
