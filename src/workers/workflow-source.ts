import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bundleWorkflowCode,
  Runtime,
  type Logger,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { encodedFailureConverterPath } from '../temporal/data-converter.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, here.includes(`${join('dist', 'src')}`) ? '../../..' : '../..');

/** Written by `npm run build` (scripts/bundle-workflows.ts). */
export const prebuiltBundlePath = join(repoRoot, 'dist', 'workflow-bundle.js');

let bundledFromSources: Promise<{ code: string }> | undefined;

/**
 * Compiled workers (`npm run build`, then `node dist/...`) load the pre-built workflow bundle
 * for fast start-up; workers run from TypeScript sources bundle src/workflows at start-up, so
 * a stale bundle can never shadow the code being edited. That bundle is made once per process:
 * the urgent worker runs a Worker per Temporal server, and each would otherwise bundle again
 * (about 2 s of CPU each).
 */
export async function workflowSource(): Promise<{ workflowBundle: { codePath: string } | { code: string } }> {
  const compiled = import.meta.url.endsWith('.js');
  if (compiled && existsSync(prebuiltBundlePath)) return { workflowBundle: { codePath: prebuiltBundlePath } };
  // Where the Worker's own bundler would log (the runtime's logger), not the SDK's console default.
  bundledFromSources ??= bundleWorkflows(Runtime.instance().logger);
  return { workflowBundle: await bundledFromSources };
}

/** Bundles src/workflows as the Worker would: the workflows' own failures encoded inside the bundle. */
export function bundleWorkflows(logger?: Logger): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: workflowsEntry(),
    failureConverterPath: encodedFailureConverterPath(),
    ...(logger && { logger }),
  });
}

/** src/workflows/index.ts (or its compiled twin when running from dist). */
function workflowsEntry(): string {
  const ts = join(repoRoot, 'src', 'workflows', 'index.ts');
  return existsSync(ts) ? ts : join(here, '..', 'workflows', 'index.js');
}
