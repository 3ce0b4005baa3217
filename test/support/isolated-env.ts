import { configSchema } from '../../src/config.js';

/**
 * Loaded by mocha before any test: Floodgate's settings and Temporal's connection variables are
 * removed from this process's environment, so a developer's shell (API_KEYS, LANE_MODE,
 * TEMPORAL_ADDRESS, a TLS profile…) cannot change what a test runs, in this process or in the
 * stacks it starts with `...process.env`. Tests set what they need explicitly.
 */
const ignored = Object.keys(process.env).filter(
  (name) => name in configSchema.shape || name.startsWith('TEMPORAL_'),
);
for (const name of ignored) delete process.env[name];
if (ignored.length > 0) {
  console.error(`tests ignore these variables from your environment: ${ignored.sort().join(', ')}`);
}
