import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalBinaries } from '../../src/temporal/binaries.js';

/**
 * A time-skipping test environment on the project's own test-server binary (the SDK's
 * default would try to download one at run time). Create it once in `before`, tear it down
 * in `after`.
 */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalBinaries().testServer } },
  });
}
