// A Stryker reporter for `npm run mutate`: one JSON line per mutant as soon as it is tested,
// beside the JSON report (mutants.jsonl). The HTML and JSON reports appear only when a run
// completes; on a busy two-core machine a run may have to be stopped, and this keeps what it
// found (docs/testing.md, "Mutation testing").
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import process from 'node:process';

class MutantLog {
  static inject = ['options'];

  constructor(options) {
    this.file = join(dirname(options.jsonReporter.fileName), 'mutants.jsonl');
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, '');
  }

  onMutantTested(result) {
    const line = {
      file: relative(process.cwd(), result.fileName),
      line: result.location.start.line,
      column: result.location.start.column,
      mutator: result.mutatorName,
      replacement: result.replacement,
      status: result.status,
      ...(result.killedBy?.length ? { killedBy: result.killedBy.length } : {}),
    };
    appendFileSync(this.file, `${JSON.stringify(line)}\n`);
  }
}

export const strykerPlugins = [{ kind: 'Reporter', name: 'mutant-log', injectableClass: MutantLog }];
