import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;

/**
 * A checkout of `ref` beside this one (`.cache/bench-checkouts/<commit>`, a git worktree with its
 * own `npm ci`), made once and reused: the baseline that a change is measured against in the
 * same bench run. Returns its folder and the short commit.
 */
export function ensureCheckout(ref: string, log: (line: string) => void): { dir: string; commit: string } {
  let commit: string;
  try {
    commit = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
  } catch {
    throw new Error(`--profile …@${ref}: "${ref}" is not a commit of this repository`);
  }
  const dir = join(root, '.cache', 'bench-checkouts', commit);
  if (!existsSync(join(dir, 'node_modules', '.package-lock.json'))) {
    mkdirSync(join(root, '.cache', 'bench-checkouts'), { recursive: true });
    if (!existsSync(dir)) {
      log(`checking out ${commit.slice(0, 7)} into ${dir}…`);
      execFileSync('git', ['worktree', 'add', '--detach', dir, commit], { cwd: root, stdio: 'ignore' });
    }
    log(`installing ${commit.slice(0, 7)}'s packages (npm ci, about a minute)…`);
    const install = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
    if (install.status !== 0) throw new Error(`npm ci failed in ${dir}`);
  }
  return { dir, commit: commit.slice(0, 7) };
}
