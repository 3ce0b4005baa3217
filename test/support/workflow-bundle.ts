import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { encodedFailureConverterPath } from '../../src/temporal/data-converter.js';
import { workflowsEntry } from '../../src/workers/workflow-source.js';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Bundles src/workflows once per test process; every worker in the run reuses it. */
export function projectWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: workflowsEntry(),
    // As the workers' data converter: the workflows' own failures are encoded inside the bundle.
    failureConverterPath: encodedFailureConverterPath(),
    logger: quietLogger,
  });
  return bundle;
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
