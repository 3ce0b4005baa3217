import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../shared/search-attributes.js';
import { temporalBinaries } from './binaries.js';

export interface DevServerOptions {
  port: number;
  /** Web UI port; omit for a headless server (tests). */
  uiPort?: number;
  /** SQLite file for persistence across restarts; omit for in-memory (tests). */
  dbFile?: string;
  namespace?: string;
  /** Remote codec the Web UI calls to show decrypted payloads (Floodgate's API /codec). */
  uiCodecEndpoint?: string;
  /** Extra `temporal server start-dev` arguments. */
  extraArgs?: string[];
  /** Where the server's own log lines go; defaults to this process's stderr. */
  onLog?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Dynamic config every Floodgate dev server runs with:
 * - Fairness on (Priority is on by default from server 1.31; the matcher flag keeps older
 *   servers correct too);
 * - one task-queue partition, so Priority and Fairness order a queue exactly, as the lane
 *   tests expect (a production cluster keeps its partitions; ordering is then per partition);
 * - no phoning home from an offline machine.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Record<string, unknown> = {
  'matching.useNewMatcher': true,
  'matching.enableFairness': true,
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
  'frontend.enableServerVersionCheck': false,
  // Describe-task-queue backlog stats refresh quickly enough for the autoscaler and tests.
  'matching.backlogNegligibleAge': '1s',
  // A worker with a free slot gets the activity its workflow task just scheduled in the reply
  // to that task's completion: no transfer task, no match, no poll for it on the server. The
  // reset mail gains; video activities were never seen dispatched eagerly (bench runs; see git history).
  'system.enableActivityEagerExecution': true,
};

export function devServerArgs(opts: DevServerOptions): string[] {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--namespace',
    opts.namespace ?? 'default',
    '--log-format',
    'pretty',
    '--log-level',
    'warn',
  ];
  if (opts.uiPort !== undefined) args.push('--ui-port', String(opts.uiPort), '--ui-ip', '127.0.0.1');
  else args.push('--headless');
  if (opts.uiPort !== undefined && opts.uiCodecEndpoint)
    args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  if (opts.dbFile) {
    // Write-ahead log with a sync on every commit: still durable before an ack, and under a
    // 1,500 webhooks/min storm it halved ack p99 against SQLite's default rollback journal.
    args.push('--db-filename', opts.dbFile);
    args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=full');
  }
  for (const { name, type } of CUSTOM_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${name}=${type}`);
  // A key the extra arguments set (TEMPORAL_DEV_SERVER_ARGS) replaces Floodgate's value for it.
  const extra = opts.extraArgs ?? [];
  const overridden = new Set(
    extra.flatMap((arg, i) => (extra[i - 1] === '--dynamic-config-value' ? [arg.split('=')[0]] : [])),
  );
  for (const [key, value] of Object.entries(DEV_SERVER_DYNAMIC_CONFIG)) {
    if (!overridden.has(key)) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  args.push(...extra);
  return args;
}

/** Starts `temporal server start-dev` and resolves once its frontend answers gRPC. */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  if (opts.dbFile) mkdirSync(dirname(opts.dbFile), { recursive: true });
  const { cli } = temporalBinaries();
  const child = spawn(cli, devServerArgs(opts), { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = opts.onLog ?? ((line: string) => process.stderr.write(`[temporal] ${line}\n`));
  let exited: string | undefined;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? code}`;
      resolve();
    }),
  );
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim()) log(line);
    });
  }

  // Whatever way the owning process ends (a test runner's process.exit, a crash), the server
  // it started must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exitedPromise.then(() => process.off('exit', killOnExit));

  const address = `127.0.0.1:${opts.port}`;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exitedPromise;
    clearTimeout(timer);
  };

  try {
    await waitForFrontend(address, opts.namespace ?? 'default', deadline, () => exited);
  } catch (err) {
    await stop();
    throw err;
  }
  return { address, process: child, stop };
}

/**
 * Resolves once a Temporal frontend at `address` answers gRPC and knows `namespace`; throws at
 * `deadline`, or as soon as `exitedReason()` says the server process is gone.
 */
export async function waitForFrontend(
  address: string,
  namespace: string,
  deadline: number,
  exitedReason: () => string | undefined = () => undefined,
): Promise<void> {
  for (;;) {
    const exited = exitedReason();
    if (exited) throw new Error(`Temporal server ${exited} before it was ready (port in use?)`);
    try {
      // The stack's own dev server, plain on loopback: no profile credentials (connection-options.ts).
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        await connection.workflowService.describeNamespace({ namespace });
      } finally {
        await connection.close();
      }
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        throw new Error(`Temporal server not ready on ${address} after start-up timeout: ${String(err)}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
