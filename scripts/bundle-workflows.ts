import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { encodedFailureConverterPath } from '../src/temporal/data-converter.js';
import { prebuiltBundlePath, workflowsEntry } from '../src/workers/workflow-source.js';

/** Part of `npm run build`: the workflow bundle that compiled workers load at start-up. */
// The workflows' own failures are converted inside the bundle: it must encode them as workers do.
const { code } = await bundleWorkflowCode({
  workflowsPath: workflowsEntry(),
  failureConverterPath: encodedFailureConverterPath(),
});
mkdirSync(dirname(prebuiltBundlePath), { recursive: true });
writeFileSync(prebuiltBundlePath, code);
process.stdout.write(`workflow bundle: ${prebuiltBundlePath} (${Math.round(code.length / 1024)} KiB)\n`);
