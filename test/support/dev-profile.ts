import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export interface DevProfile {
  apiUrl: string;
  uiUrl: string;
  providerUrl: string;
  /** The stack's own dev server. */
  temporalAddress: string;
  /** Where its SMTP sink keeps each mail as an `.eml` file. */
  mailDir: string;
  /** Its DATA_DIR (the supervisor writes each service's PID to `run/<name>.pid` there). */
  dataDir: string;
  /** Everything the stack printed so far (for failure messages). */
  output(): string;
  /** Ctrl-C, as a user stops it; the whole process group is killed if that does not end it. */
  stop(): Promise<void>;
}

const UP_MARKER = 'Ctrl-C stops everything.'; // the banner's last line

/**
 * `npm start` exactly as a user runs it (src/stack/start.ts with its own dev server, Web UI and
 * codec endpoint), on free ports and a temp DATA_DIR, in its own process group so a failed test
 * leaves nothing behind.
 */
export async function startDevProfile(opts: { env?: Record<string, string>; upWithinMs?: number } = {}) {
  const root = new URL('../../', import.meta.url).pathname;
  const dataDir = mkdtempSync(join(tmpdir(), 'floodgate-profile-'));
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
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const timer = setTimeout(killGroup, 30_000);
      await exited;
      clearTimeout(timer);
    }
    killGroup(); // anything the supervisor failed to reap
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`npm start was not up within ${opts.upWithinMs ?? 150_000} ms:\n${output}`)),
        opts.upWithinMs ?? 150_000,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes(UP_MARKER)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited (${code}) before it was up:\n${output}`));
      });
    });
  } catch (err) {
    await stop();
    throw err;
  }

  const profile: DevProfile = {
    apiUrl: `http://127.0.0.1:${api}`,
    uiUrl: `http://127.0.0.1:${ui}`,
    providerUrl: `http://127.0.0.1:${provider}`,
    temporalAddress: `127.0.0.1:${temporal}`,
    mailDir: join(dataDir, 'mail'),
    dataDir,
    output: () => output,
    stop,
  };
  return profile;
}
