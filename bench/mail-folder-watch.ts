import { mkdirSync, readFileSync, watch } from 'node:fs';
import { join } from 'node:path';

export interface MailFolderWatch {
  /** Resolves with the epoch ms at which a mail to `address` landed in the folder. */
  waitFor(address: string, timeoutMs: number): Promise<number>;
  close(): void;
}

const TO_HEADER = /^To:\s*(.+)$/im;

/**
 * Times mail the way an outside observer of `npm start` does: when the SMTP sink's `.eml` file
 * appears in its folder (inotify), not when some in-process sink accepted the SMTP transaction.
 */
export function watchMailFolder(dir: string): MailFolderWatch {
  mkdirSync(dir, { recursive: true });
  const arrived = new Map<string, number>();
  const waiters = new Map<string, (at: number) => void>();
  const done = new Set<string>();
  const watcher = watch(dir, (_event, file) => {
    if (!file || !file.endsWith('.eml') || done.has(file)) return;
    const seenAt = Date.now();
    let raw: string;
    try {
      raw = readFileSync(join(dir, file), 'utf8');
    } catch {
      return;
    }
    // The file may be caught half-written; its next change event reads it again.
    const to = TO_HEADER.exec(raw)?.[1]?.trim().toLowerCase();
    if (!to) return;
    done.add(file);
    const waiter = waiters.get(to);
    if (waiter) waiter(seenAt);
    else arrived.set(to, seenAt);
  });
  return {
    waitFor(address, timeoutMs) {
      const key = address.toLowerCase();
      const at = arrived.get(key);
      if (at !== undefined) {
        arrived.delete(key);
        return Promise.resolve(at);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(key);
          reject(new Error(`no mail to ${address} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.set(key, (seenAt) => {
          clearTimeout(timer);
          waiters.delete(key);
          resolve(seenAt);
        });
      });
    },
    close: () => watcher.close(),
  };
}
