import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';

export interface ServiceSpec {
  name: string;
  /** A TypeScript entry file, run with Node and the tsx loader (no extra wrapper process)… */
  entry?: string;
  /** …or any executable (a Temporal server, PostgreSQL), spawned directly, no shell. */
  command?: string;
  /** Command-line arguments after the entry file or command. */
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Run as this user and group (a root supervisor running PostgreSQL, which refuses root). */
  uid?: number;
  gid?: number;
  /** Signal for a graceful stop (PostgreSQL wants SIGINT for a fast shutdown). */
  stopSignal?: NodeJS.Signals;
  /** How long a graceful stop may take before SIGKILL (a draining worker needs its shutdown grace). */
  stopGraceMs?: number;
  /** Scheduling niceness (0–19): background work yields the CPU to latency-bound services. */
  nice?: number;
}

export interface SupervisorOptions {
  /** Restart a service that dies; otherwise `onFatal` is called and the caller stops the stack. */
  restart: boolean;
  print: (service: string, line: string) => void;
  /** Called once when a service dies and restarting is off. */
  onFatal: (reason: string) => void;
  /** Called after every start and restart, with the new process. */
  onStart?: (name: string, child: ChildProcess) => void;
  /** Called when a service dies on its own (not when the supervisor stopped it). */
  onCrash?: (name: string, how: string) => void;
  /** Each running service's PID is written to `<pidDir>/<name>.pid` (for operators and fault tests). */
  pidDir?: string;
  /** Restart delays; the defaults suit a stack, tests shorten them. */
  backoff?: Partial<RestartBackoff>;
}

export interface RestartBackoff {
  /** Delay after the first quick death, doubled after each further one… */
  firstMs: number;
  /** …up to this cap, for as long as the stack runs (no giving up). */
  maxMs: number;
  /** A service that stayed up this long is healthy again: its next crash restarts after `firstMs`. */
  healthyAfterMs: number;
}

interface Running {
  spec: ServiceSpec;
  child: ChildProcess;
  startedAt: number;
  /** Consecutive quick deaths, for the backoff. */
  quickDeaths: number;
  stopped: boolean;
  restartTimer?: NodeJS.Timeout;
}

const DEFAULT_BACKOFF: RestartBackoff = { firstMs: 250, maxMs: 8_000, healthyAfterMs: 30_000 };

/**
 * Runs the stack's processes and prefixes their output. A service that dies is reported loudly
 * and restarted with a capped backoff, for as long as the stack runs: one process dying never
 * stops the stack (unless restarts are turned off, for benches that must fail fast).
 */
export class Supervisor {
  private readonly running = new Map<string, Running>();
  private stopping = false;
  private readonly backoff: RestartBackoff;

  constructor(private readonly opts: SupervisorOptions) {
    if (opts.pidDir) mkdirSync(opts.pidDir, { recursive: true });
    this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
  }

  start(spec: ServiceSpec): ChildProcess {
    const [command, args] = spec.command
      ? [spec.command, spec.args ?? []]
      : [process.execPath, ['--import', 'tsx', spec.entry ?? '', ...(spec.args ?? [])]];
    if (!spec.command && !spec.entry) throw new Error(`service ${spec.name} needs an entry or a command`);
    const child = spawn(command, args, {
      env: { ...process.env, ...spec.env },
      cwd: spec.cwd,
      uid: spec.uid,
      gid: spec.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const previous = this.running.get(spec.name);
    const entry: Running = {
      spec,
      child,
      startedAt: Date.now(),
      quickDeaths: previous?.quickDeaths ?? 0,
      stopped: false,
    };
    this.running.set(spec.name, entry);
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      let partial = '';
      stream?.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) this.opts.print(spec.name, line);
      });
    }
    child.once('error', (err) =>
      this.opts.print(spec.name, `!!! could not start ${command}: ${err.message}`),
    );
    child.once('exit', (code, signal) => this.onExit(entry, code, signal));
    if (spec.nice && child.pid) setNice(child.pid, spec.nice, (line) => this.opts.print(spec.name, line));
    if (this.opts.pidDir && child.pid) writeFileSync(this.pidFile(spec.name), `${child.pid}\n`);
    this.opts.onStart?.(spec.name, child);
    return child;
  }

  /** The current process of a service, if it is running. */
  process(name: string): ChildProcess | undefined {
    const entry = this.running.get(name);
    return entry && isAlive(entry.child) ? entry.child : undefined;
  }

  names(): string[] {
    return [...this.running.keys()];
  }

  private pidFile(name: string): string {
    return join(this.opts.pidDir ?? '.', `${name}.pid`);
  }

  private onExit(entry: Running, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.opts.pidDir) rmSync(this.pidFile(entry.spec.name), { force: true });
    if (this.stopping || entry.stopped) return;
    const { name } = entry.spec;
    const how = signal ?? `code ${code}`;
    this.opts.print(name, `!!! ${name} exited unexpectedly (${how})`);
    this.opts.onCrash?.(name, how);
    if (!this.opts.restart) {
      this.opts.onFatal(`${name} exited and restarting is off`);
      return;
    }
    const { firstMs, maxMs, healthyAfterMs } = this.backoff;
    entry.quickDeaths = Date.now() - entry.startedAt >= healthyAfterMs ? 1 : entry.quickDeaths + 1;
    const delay = Math.min(firstMs * 2 ** (entry.quickDeaths - 1), maxMs);
    this.opts.print(name, `!!! restarting ${name} in ${delay} ms`);
    entry.restartTimer = setTimeout(() => {
      if (!this.stopping && !entry.stopped) this.start(entry.spec);
    }, delay);
  }

  /** Stops one service for good (no restart): its stop signal, then SIGKILL after the grace period. */
  async stop(name: string, graceMs?: number): Promise<void> {
    const entry = this.running.get(name);
    if (!entry) return;
    entry.stopped = true;
    clearTimeout(entry.restartTimer);
    this.running.delete(name);
    await stopProcess(
      entry.child,
      entry.spec.stopSignal ?? 'SIGTERM',
      graceMs ?? entry.spec.stopGraceMs ?? 10_000,
    );
  }

  /** Stops every service at once (callers that need an order stop services one by one first). */
  async stopAll(graceMs?: number): Promise<void> {
    this.stopping = true;
    const entries = [...this.running.values()];
    for (const entry of entries) clearTimeout(entry.restartTimer);
    await Promise.all(
      entries.map((e) =>
        stopProcess(e.child, e.spec.stopSignal ?? 'SIGTERM', graceMs ?? e.spec.stopGraceMs ?? 10_000),
      ),
    );
  }
}

function setNice(pid: number, nice: number, print: (line: string) => void): void {
  try {
    setPriority(pid, nice);
  } catch (err) {
    print(`could not set niceness ${nice}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function stopProcess(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (!isAlive(child) || child.pid === undefined) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
