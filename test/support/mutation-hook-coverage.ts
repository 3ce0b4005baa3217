import type { Context, Suite, Test } from 'mocha';

/**
 * Loaded only by `npm run mutate` (stryker.config.mjs), never by `npm test`.
 *
 * With per-test coverage, Stryker files what code ran under the test that ran last: code run
 * by a `before` hook (an app, an adapter, a test server built once per file) would count as
 * covered by the previous file's last test, and a mutant there would be tried against that
 * test only and "survive". Here, what runs between two tests (after hooks, before hooks) is
 * collected apart and handed to every test of the file whose first test comes next: such a
 * mutant is tried against the tests that really depend on it.
 */
const BETWEEN_TESTS = 'mutation-hook-coverage: between tests';

interface StrykerContext {
  currentTestId?: string;
  mutantCoverage?: { perTest: Record<string, Record<string, number>> };
}

function stryker(): StrykerContext | undefined {
  return (globalThis as { __stryker__?: StrykerContext }).__stryker__;
}

function betweenTests(): void {
  const context = stryker();
  if (context) context.currentTestId = BETWEEN_TESTS;
}

/** The test's outermost suite below the root: in this project, one test file's `describe`. */
function fileSuite(test: Test): Suite | undefined {
  let suite = test.parent;
  while (suite?.parent && !suite.parent.root) suite = suite.parent;
  return suite;
}

function testsOf(suite: Suite): Test[] {
  return [...suite.tests, ...suite.suites.flatMap(testsOf)];
}

export const mochaHooks = {
  beforeAll: betweenTests,
  afterEach: betweenTests,
  beforeEach(this: Context): void {
    const perTest = stryker()?.mutantCoverage?.perTest;
    const hooks = perTest?.[BETWEEN_TESTS];
    if (!perTest || !hooks) return;
    delete perTest[BETWEEN_TESTS];
    const suite = this.currentTest && fileSuite(this.currentTest);
    for (const test of suite ? testsOf(suite) : []) {
      const covered = (perTest[test.fullTitle()] ??= {});
      for (const [id, hits] of Object.entries(hooks)) covered[id] = (covered[id] ?? 0) + hits;
    }
  },
  afterAll(): void {
    // After hooks of the last file: cleanup, no test depends on it.
    delete stryker()?.mutantCoverage?.perTest[BETWEEN_TESTS];
  },
};
