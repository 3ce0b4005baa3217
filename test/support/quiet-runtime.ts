import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';

/**
 * Loaded by mocha before any test: the Temporal runtime (TypeScript and Rust core) logs only
 * errors, so workers retrying against a server a test stopped on purpose do not bury the
 * report. Set TEST_TEMPORAL_LOG=WARN (or INFO, DEBUG) to see more.
 */
const level = (process.env.TEST_TEMPORAL_LOG ?? 'ERROR') as 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';
Runtime.install({
  logger: new DefaultLogger(level),
  telemetryOptions: {
    logging: { filter: makeTelemetryFilterString({ core: level, other: level }), forward: {} },
  },
});
