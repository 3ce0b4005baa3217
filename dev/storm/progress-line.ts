/**
 * One live status line on a terminal (rewritten in place); on a pipe or a CI log, a plain
 * line every `everyNth` update so the log stays readable.
 */
export function createProgressLine(stream: NodeJS.WriteStream = process.stderr, everyNth = 10) {
  let updates = 0;
  let drawn = false;
  return {
    update(text: string): void {
      updates += 1;
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${text}`);
        drawn = true;
      } else if (updates % everyNth === 1) {
        stream.write(`${text}\n`);
      }
    },
    done(): void {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
