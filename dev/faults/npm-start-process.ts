import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/support/free-port.js';

export interface NpmStartStack {
  dataDir: string;
  apiUrl: string;
  providerUrl: string;
  temporalAddress: string;
  /** Everything the stack printed so far (supervisor lines and every service's output). */
  output(): string;
  /** The PID the supervisor wrote for a service (DATA_DIR/run/<name>.pid), if it runs. */
  pid(name: string): number | undefined;
  /** Mail files in the SMTP sink's folder whose text contains `needle`. */
  mailsContaining(needle: string): number;
  /** Ctrl-C, then SIGKILL to the whole group if anything is left; removes DATA_DIR. */
  stop(): Promise<void>;
}

const root = new URL('../../', import.meta.url).pathname;

/**
 * `npm start` as a user runs it (src/stack/start.ts under Node and tsx), in its own process
 * group so nothing outlives a failed test, on free ports and a temporary DATA_DIR. Resolves
 * once the banner's last line is printed.
 */
export async function startNpmStack(
  env: Record<string, string> = {},
  timeoutMs = 180_000,
): Promise<NpmStartStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'floodgate-npm-start-'));
  const [api, temporal, ui, smtp, provider] = await Promise.all([1, 2, 3, 4, 5].map(() => freePort()));
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/stack/start.ts')], {
    cwd: root,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: '',
      DATA_DIR: dataDir,
      PORT: String(api),
      TEMPORAL_PORT: String(temporal),
      TEMPORAL_UI_PORT: String(ui),
      SMTP_SINK_PORT: String(smtp),
      PROVIDER_SIM_PORT: String(provider),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    }
    killGroup();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`stack not up within ${timeoutMs} ms:\n${output}`)),
        timeoutMs,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ctrl-C stops everything.')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`stack exited (${code}) before it was up:\n${output}`));
      });
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    dataDir,
    apiUrl: `http://127.0.0.1:${api}`,
    providerUrl: `http://127.0.0.1:${provider}`,
    temporalAddress: `127.0.0.1:${temporal}`,
    output: () => output,
    pid: (name) => {
      const file = join(dataDir, 'run', `${name}.pid`);
      return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) || undefined : undefined;
    },
    mailsContaining: (needle) => {
      const dir = join(dataDir, 'mail');
      if (!existsSync(dir)) return 0;
      return readdirSync(dir).filter((f) => readFileSync(join(dir, f), 'utf8').includes(needle)).length;
    },
    stop,
  };
}
