import { DefaultLogger, Runtime } from '@temporalio/worker';

/**
 * Loaded by mocha before any test: the Temporal runtime logs only errors, so worker start-up
 * and shutdown chatter does not bury the test report. Set TEST_TEMPORAL_LOG=INFO to see it.
 */
const level = (process.env.TEST_TEMPORAL_LOG ?? 'ERROR') as 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';
Runtime.install({ logger: new DefaultLogger(level) });
