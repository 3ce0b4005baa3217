/** Lines that always show: warnings and errors (SDK or pino), and the supervisor's alarms. */
const NOTEWORTHY = /\[(WARN|ERROR)\]|"level":[456]0|!!!|error/i;
const TAIL_LINES = 40;

export interface ChildOutput {
  print(child: string, line: string): void;
}

/**
 * Child processes' output for the bench's progress stream. Quiet by default (start-up chatter
 * such as the workflow bundler's report is kept back); when a child dies, its last lines are
 * shown so the cause is on screen. `verbose` shows everything.
 */
export function createChildOutput(verbose: boolean, log: (line: string) => void): ChildOutput {
  const tails = new Map<string, string[]>();
  return {
    print(child, line) {
      if (verbose) return log(`[${child}] ${line}`);
      if (line.includes('!!!')) {
        for (const earlier of tails.get(child) ?? []) log(`[${child}] ${earlier}`);
        tails.delete(child);
      }
      if (NOTEWORTHY.test(line)) return log(`[${child}] ${line}`);
      const tail = tails.get(child) ?? [];
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      tails.set(child, tail);
    },
  };
}
