import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const toolDir = new URL('../../tools/compose-check/', import.meta.url).pathname;

export interface ComposePort {
  target: number;
  published?: string;
  host_ip?: string;
}

export interface ComposeVolume {
  type: string;
  source?: string;
  target: string;
}

export interface ComposeService {
  image?: string;
  environment?: Record<string, string | null>;
  ports?: ComposePort[];
  volumes?: ComposeVolume[];
  deploy?: { replicas?: number };
  depends_on?: Record<string, { condition: string }>;
}

export interface ComposeProject {
  services: Record<string, ComposeService>;
}

/**
 * A compose file as the Compose Specification's reference parser (compose-go, run from
 * tools/compose-check with the Go toolchain) understands it: interpolated with `env`, validated
 * against the schema, paths resolved. Rejects with the parser's own message.
 */
export async function loadComposeProject(file: string, env: Record<string, string>): Promise<ComposeProject> {
  const envFile = join(mkdtempSync(join(tmpdir(), 'compose-env-')), '.env');
  writeFileSync(
    envFile,
    Object.entries(env)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
  const { stdout } = await run('go', ['run', '.', file, envFile], {
    cwd: toolDir,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as ComposeProject;
}
