/**
 * A way to bring up the whole stack for the bench. Each profile starts the stack exactly the way
 * its users do (the dev profile runs `npm start`'s own entry) and hands back where to reach it.
 */
export interface StackProfile {
  name: string;
  start(opts: ProfileStartOptions): Promise<RunningStack>;
}

export interface ProfileStartOptions {
  /** Show every line the stack prints, not only warnings and errors. */
  verbose: boolean;
  log(line: string): void;
}

export interface RunningStack {
  apiUrl: string;
  /** Where password resets go, when an experiment sends them elsewhere than this stack's own API. */
  resets?: ResetTarget;
  apiKey: string;
  providerUrl: string;
  temporalAddress: string;
  namespace: string;
  /** Where the SMTP sink process keeps each mail as an `.eml` file. */
  mailDir: string;
  /** The Temporal server's Prometheus page (its frontend's own latency per call). */
  serverMetricsUrl: string;
  /** Environment the stack's processes run with (so the bench reads the same config). */
  env: Record<string, string>;
  /** Rejects when the stack dies on its own. */
  failure: Promise<never>;
  stop(): Promise<void>;
}

/**
 * An API that takes password resets, the Temporal server their workflows run on (and its
 * Prometheus page), and where their mail lands.
 */
export interface ResetTarget {
  apiUrl: string;
  temporalAddress: string;
  serverMetricsUrl: string;
  mailDir: string;
}
