import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const prebuiltBundle = resolve(here, '..', '..', 'dist', 'workflow-bundle.js');

/**
 * Workers load the pre-built workflow bundle when `npm run build` made one (fast start-up in
 * production); otherwise they bundle src/workflows at start-up (development and tests).
 */
export function workflowSource(): { workflowBundle: { codePath: string } } | { workflowsPath: string } {
  if (existsSync(prebuiltBundle)) return { workflowBundle: { codePath: prebuiltBundle } };
  return { workflowsPath: workflowsEntry() };
}

export function workflowsEntry(): string {
  const ts = join(here, '..', 'workflows', 'index.ts');
  if (existsSync(ts)) return ts;
  return createRequire(import.meta.url).resolve('../workflows/index.js');
}
