import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removePostgresHome } from '../../src/cluster/postgres-home.js';
import { stackPorts, type StackProfileName } from './stack-ports.js';

export type { StackProfileName } from './stack-ports.js';

const ENTRY: Record<StackProfileName, string> = {
  'dev-server': 'src/stack/start.ts',
  cluster: 'src/stack/start-cluster.ts',
};
const SCRIPT: Record<StackProfileName, string> = {
  'dev-server': 'npm start',
  cluster: 'npm run start:cluster',
};
const UP_MARKER = 'Ctrl-C stops everything.'; // the banner's last line, in both profiles
const THIS_CHECKOUT = new URL('../../', import.meta.url).pathname;

export interface StackLaunchOptions {
  /** `dev-server` (npm start, the default) or `cluster` (npm run start:cluster). */
  profile?: StackProfileName;
  /** Settings over the launcher's own (free ports, a temp DATA_DIR, no outside cluster, LOG_LEVEL=warn). */
  env?: Record<string, string>;
  /** The checkout whose entry runs (a bench baseline's); this one by default. */
  checkoutRoot?: string;
  /** Prefix of the temporary DATA_DIR's name. */
  dataDirPrefix?: string;
  /** How long the banner may take (default 150 s); ignored with `waitUntilUp`. */
  upWithinMs?: number;
  /** Up by another test than the banner (a checkout that prints another one); raced with the stack's exit. */
  waitUntilUp?: (stack: LaunchedStack) => Promise<void>;
  /** Every line the stack prints, as it prints it. */
  onLine?: (line: string) => void;
  /** Keep what the stack prints after it is up (default true; a long bench need not). */
  keepOutput?: boolean;
}

export interface LaunchedStack {
  profile: StackProfileName;
  dataDir: string;
  /** The settings the stack runs with over this process's environment. */
  env: Record<string, string>;
  apiUrl: string;
  uiUrl: string;
  providerUrl: string;
  /** The stack's Temporal frontend (its own server, or TEMPORAL_ADDRESS when given). */
  temporalAddress: string;
  /** Where its SMTP sink keeps each mail as an `.eml` file. */
  mailDir: string;
  /** Everything the stack printed so far (for failure messages and checks). */
  output(): string;
  /** Rejects when the stack exits on its own. */
  failure: Promise<never>;
  /** Ctrl-C, as a user stops it; the whole process group is killed if that does not end it. Removes DATA_DIR. */
  stop(): Promise<void>;
}

/**
 * The one way to start a stack from code (tests, the bench, the fault suite): the profile's own
 * entry (src/stack/start.ts or start-cluster.ts) under Node and tsx, as `npm start` or `npm run
 * start:cluster` runs it, on free ports and a temporary DATA_DIR, in its own process group so a
 * failed run leaves nothing behind. Resolves once it is up.
 */
export async function launchStack(opts: StackLaunchOptions = {}): Promise<LaunchedStack> {
  const profile = opts.profile ?? 'dev-server';
  const root = opts.checkoutRoot ?? THIS_CHECKOUT;
  const script = SCRIPT[profile];
  const dataDir = mkdtempSync(join(tmpdir(), opts.dataDirPrefix ?? `floodgate-${profile}-`));
  const ports = await stackPorts(profile);
  const env: Record<string, string> = {
    TEMPORAL_ADDRESS: '',
    DATA_DIR: dataDir,
    ...ports,
    LOG_LEVEL: 'warn',
    ...opts.env,
  };
  let output = '';
  let keepOutput = true;
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, ENTRY[profile])], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      if (keepOutput) output += chunk;
      if (opts.onLine) for (const line of chunk.split('\n')) if (line.trim()) opts.onLine(line);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const failure = exited.then((code) => {
    throw new Error(`${script} exited (${code}) on its own:\n${output}`);
  });
  failure.catch(() => undefined);

  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  // Whatever way this process ends, the stack must not outlive it.
  process.once('exit', killGroup);
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        const timer = setTimeout(killGroup, 30_000);
        await exited;
        clearTimeout(timer);
      }
      killGroup(); // anything the supervisor failed to reap
      process.off('exit', killGroup);
      removePostgresHome(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    })());

  const host = (setting: string) => `http://127.0.0.1:${env[setting]}`;
  const stack: LaunchedStack = {
    profile,
    dataDir,
    env,
    apiUrl: host('PORT'),
    uiUrl: host('TEMPORAL_UI_PORT'),
    providerUrl: host('PROVIDER_SIM_PORT'),
    temporalAddress: env.TEMPORAL_ADDRESS || `127.0.0.1:${env.TEMPORAL_PORT}`,
    mailDir: join(dataDir, 'mail'),
    output: () => output,
    failure,
    stop,
  };
  const upWithinMs = opts.upWithinMs ?? 150_000;
  const up = opts.waitUntilUp?.(stack) ?? bannerPrinted(child, () => output, upWithinMs, script);
  try {
    await Promise.race([
      up,
      exited.then((code) => {
        throw new Error(`${script} exited (${code}) before it was up:\n${output}`);
      }),
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  keepOutput = opts.keepOutput ?? true;
  return stack;
}

/** Resolves once the banner's last line is in the output; rejects after `withinMs`. */
function bannerPrinted(
  child: ChildProcess,
  output: () => string,
  withinMs: number,
  script: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!output().includes(UP_MARKER)) return;
      done();
      resolve();
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${script} was not up within ${withinMs} ms:\n${output()}`));
    }, withinMs);
    // Ends with the stack too: its exit is the launcher's to report.
    const done = () => {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.stderr?.off('data', check);
      child.off('exit', done);
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', done);
    check();
  });
}
