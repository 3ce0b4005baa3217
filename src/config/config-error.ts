/** A setting that stops the start, with a message naming the variable. */
export class ConfigError extends Error {}
