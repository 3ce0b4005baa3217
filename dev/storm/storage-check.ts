import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';

export interface StorageCheck {
  /** Completed jobs checked. */
  checked: number;
  exactlyOne: number;
  missing: string[];
  multiple: string[];
}

/**
 * Exactly one stored file per completed job: a file belongs to a job when its name, without
 * extension, or one of its folders is the video id. Temp files left behind count as extras.
 */
export async function checkStoredFiles(
  storageDir: string,
  completedIds: readonly string[],
): Promise<StorageCheck> {
  const files = await listFiles(storageDir);
  const perJob = new Map<string, number>(completedIds.map((id) => [id, 0]));
  for (const file of files) {
    const segments = file.split('/');
    const name = basename(file);
    const candidates = new Set([
      ...segments.slice(0, -1),
      name.slice(0, name.indexOf('.') > 0 ? name.indexOf('.') : undefined),
    ]);
    for (const candidate of candidates) {
      const count = perJob.get(candidate);
      if (count !== undefined) perJob.set(candidate, count + 1);
    }
  }
  const result: StorageCheck = { checked: completedIds.length, exactlyOne: 0, missing: [], multiple: [] };
  for (const [id, count] of perJob) {
    if (count === 1) result.exactlyOne += 1;
    else if (count === 0) result.missing.push(id);
    else result.multiple.push(id);
  }
  return result;
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const files: string[] = [];
  for (const entry of entries) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await listFiles(join(dir, entry.name), rel)));
    else files.push(rel);
  }
  return files;
}
