// Mutation testing (`npm run mutate`, see docs/testing.md): mutants in the webhook intake,
// the workflows and the activities, judged by the unit and time-skipping workflow tests.
// The integration tests start whole stacks and would take hours here, so they are left out.
import { resolve } from 'node:path';
import process from 'node:process';

// The sandbox is a copy of the repository without .cache: point it at this checkout's
// Temporal binaries (scripts/ensure-temporal.mjs put them there).
process.env.FLOODGATE_TEMPORAL_CACHE ??= resolve('.cache', 'temporal');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'mocha',
  plugins: ['@stryker-mutator/mocha-runner', './scripts/stryker-mutant-log.mjs'],
  testRunnerNodeArgs: ['--import', 'tsx'],
  mochaOptions: {
    config: '.mocharc.json',
    spec: ['test/unit/**/*.test.ts', 'test/workflows/**/*.test.ts'],
    // As .mocharc.json, plus the bridge that lets workflow code see the active mutant and the
    // hooks that give code run in before hooks to the tests of its file (docs/testing.md).
    require: [
      'test/support/isolated-env.ts',
      'test/support/quiet-runtime.ts',
      'test/support/mutation-bridge.ts',
      'test/support/mutation-hook-coverage.ts',
    ],
  },
  mutate: ['src/api/webhooks/**/*.ts', 'src/workflows/**/*.ts', 'src/activities/**/*.ts'],
  coverageAnalysis: 'perTest',
  // A mutant in code that runs on import (a module's constants) is not covered by any one
  // test: it would cost a fresh process and the whole suite each. See docs/testing.md.
  ignoreStatic: true,
  concurrency: 2,
  // A mutant that hangs a workflow makes its test wait for good (Stryker runs mocha without
  // a timeout): it is cut off at 1.5 times the test's own time plus 10 s, and counts as detected.
  timeoutMS: 10_000,
  timeoutFactor: 1.5,
  ignorePatterns: [
    '.cache',
    '.data',
    'dist',
    'bench/results',
    'reports',
    'temporal-compose/tls',
    '*.log',
    '.stryker-tmp*',
  ],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // `npm run mutate -- --incremental` re-tests only mutants whose code or tests changed.
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json', 'mutant-log'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
};
