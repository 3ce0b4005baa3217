import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { bundleWorkflows, prebuiltBundlePath } from '../src/workers/workflow-source.js';

/** Part of `npm run build`: the workflow bundle that compiled workers load at start-up. */
const { code } = await bundleWorkflows();
mkdirSync(dirname(prebuiltBundlePath), { recursive: true });
writeFileSync(prebuiltBundlePath, code);
process.stdout.write(`workflow bundle: ${prebuiltBundlePath} (${Math.round(code.length / 1024)} KiB)\n`);
