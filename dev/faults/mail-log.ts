import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the SMTP sink of `npm start` has accepted, read from its folder (one `.eml` per mail):
 * recipient → time the first mail to it was written. Only new files are read on each scan.
 */
export class MailLog {
  private readonly seen = new Set<string>();
  private readonly firstMail = new Map<string, number>();

  constructor(private readonly dir: string) {}

  scan(): void {
    if (!existsSync(this.dir)) return;
    for (const file of readdirSync(this.dir)) {
      if (this.seen.has(file) || !file.endsWith('.eml')) continue;
      this.seen.add(file);
      const path = join(this.dir, file);
      const head = readFileSync(path, 'utf8').split(/\r?\n\r?\n/, 1)[0] ?? '';
      const to = /^To:\s*(.+)$/im
        .exec(head)?.[1]
        ?.trim()
        .replace(/^.*<|>.*$/g, '');
      if (to && !this.firstMail.has(to)) this.firstMail.set(to, statSync(path).mtimeMs);
    }
  }

  /** When the first mail to `address` arrived (epoch ms), after a fresh scan. */
  arrived(address: string): number | undefined {
    this.scan();
    return this.firstMail.get(address);
  }
}
