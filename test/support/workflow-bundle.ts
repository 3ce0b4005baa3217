import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleWorkflows } from '../../src/workers/workflow-source.js';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Bundles src/workflows once per test process, as the workers do; every worker in the run reuses it. */
export function projectWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflows(quietLogger);
  return bundle;
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
