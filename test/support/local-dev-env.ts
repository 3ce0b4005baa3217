import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalBinaries } from '../../src/temporal/binaries.js';

/**
 * A real Temporal dev server (in memory, the project's own CLI binary) behind the test-environment
 * API: for workflow tests that need the real server's semantics rather than a movable clock.
 */
export function createLocalDevEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalBinaries().cli },
      log: { format: 'json', level: 'error' },
    },
  });
}
