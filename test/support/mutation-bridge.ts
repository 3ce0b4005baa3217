import { Worker } from '@temporalio/worker';
import { VMWorkflowCreator } from '@temporalio/worker/lib/workflow/vm.js';

/**
 * Loaded only by `npm run mutate` (stryker.config.mjs), never by `npm test`.
 *
 * Stryker switches mutants at run time through one object on the test process's global
 * (`__stryker__`: the active mutant, the hit count, the coverage per test). Workflow code
 * runs in a vm context of its own, normally on a worker thread, where that object does not
 * exist: every mutant in src/workflows would look uncovered, or survive untested. So, for
 * mutation runs only, every Worker (and replay worker) runs its workflows in this thread
 * (the SDK's debug mode, one fresh context per run), and each context reads the test
 * process's `__stryker__` through a getter: the same object, live, so activating a mutant,
 * counting hits and recording per-test coverage work inside workflows as outside.
 */
const NAMESPACE = '__stryker__';

type CreatorFactory = (
  bundle: unknown,
  options: Record<string, unknown>,
  logger: unknown,
) => Promise<unknown>;
const workerStatics = Worker as unknown as { createWorkflowCreator: CreatorFactory };
const createCreator = workerStatics.createWorkflowCreator;
if (typeof createCreator !== 'function') {
  throw new Error(
    'mutation bridge: Worker.createWorkflowCreator is gone; update test/support/mutation-bridge.ts',
  );
}

workerStatics.createWorkflowCreator = async function createBridgedCreator(bundle, options, logger) {
  // The deadlock timeout stays what the options said (debug mode alone would lift it).
  const creator = await createCreator.call(
    this,
    bundle,
    { ...options, debugMode: true, reuseV8Context: false },
    logger,
  );
  if (!(creator instanceof VMWorkflowCreator)) {
    throw new Error('mutation bridge: expected workflows in this thread (VMWorkflowCreator)');
  }
  const bridged = creator as unknown as { injectGlobals(context: object): void };
  const injectGlobals = bridged.injectGlobals.bind(creator);
  bridged.injectGlobals = function injectWithMutants(context: object) {
    injectGlobals(context);
    Object.defineProperty(context, NAMESPACE, {
      get: () => (globalThis as Record<string, unknown>)[NAMESPACE],
      enumerable: false,
      configurable: false,
    });
  };
  return creator;
};
