import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, here.includes(`${join('dist', 'src')}`) ? '../../..' : '../..');

/** Written by `npm run build` (scripts/bundle-workflows.ts). */
export const prebuiltBundlePath = join(repoRoot, 'dist', 'workflow-bundle.js');

/**
 * Compiled workers (`npm run build`, then `node dist/...`) load the pre-built workflow bundle
 * for fast start-up; workers run from TypeScript sources bundle src/workflows at start-up, so
 * a stale bundle can never shadow the code being edited.
 */
export function workflowSource(): { workflowBundle: { codePath: string } } | { workflowsPath: string } {
  const compiled = import.meta.url.endsWith('.js');
  if (compiled && existsSync(prebuiltBundlePath)) return { workflowBundle: { codePath: prebuiltBundlePath } };
  return { workflowsPath: workflowsEntry() };
}

/** src/workflows/index.ts (or its compiled twin when running from dist). */
export function workflowsEntry(): string {
  const ts = join(repoRoot, 'src', 'workflows', 'index.ts');
  return existsSync(ts) ? ts : join(here, '..', 'workflows', 'index.js');
}
