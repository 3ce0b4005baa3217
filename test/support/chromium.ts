import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';

/** The system Chromium (Debian's package; scripts/ensure-system-tools.sh installs it), never a downloaded one. */
export function chromiumPath(): string {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    } catch {
      // not this name
    }
  }
  throw new Error(
    "no chromium on PATH: run scripts/ensure-system-tools.sh (as root) or install Debian's chromium",
  );
}

/** Headless Chromium; without a sandbox when running as root, which Chromium requires. */
export function launchChromium(): Promise<Browser> {
  const asRoot = process.getuid?.() === 0;
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: asRoot ? ['--no-sandbox'] : [],
  });
}
