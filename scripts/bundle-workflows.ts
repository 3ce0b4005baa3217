import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { prebuiltBundlePath, workflowsEntry } from '../src/workers/workflow-source.js';

/** Part of `npm run build`: the workflow bundle that compiled workers load at start-up. */
const { code } = await bundleWorkflowCode({ workflowsPath: workflowsEntry() });
mkdirSync(dirname(prebuiltBundlePath), { recursive: true });
writeFileSync(prebuiltBundlePath, code);
process.stdout.write(`workflow bundle: ${prebuiltBundlePath} (${Math.round(code.length / 1024)} KiB)\n`);
