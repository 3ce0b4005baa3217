import { spawn, type ChildProcess } from 'node:child_process';

export interface ServiceSpec {
  name: string;
  /** A TypeScript entry file, run with Node and the tsx loader (no extra wrapper process). */
  entry: string;
  /** Command-line arguments after the entry file. */
  args?: string[];
  env?: Record<string, string>;
}

export interface SupervisorOptions {
  /** Restart a service that dies; otherwise the whole stack stops. */
  restart: boolean;
  /** Restarts allowed per service inside `restartWindowMs` before the stack gives up. */
  maxRestarts?: number;
  restartWindowMs?: number;
  print: (service: string, line: string) => void;
  /** Called once when the supervisor decides the stack cannot continue. */
  onFatal: (reason: string) => void;
}

interface Running {
  spec: ServiceSpec;
  child: ChildProcess;
  restarts: number[];
}

/**
 * Runs the stack's processes, prefixes their output, and never lets the stack sit silently
 * half-up: a service that dies is reported loudly and restarted with backoff, or, after too
 * many deaths in a row, the whole stack is stopped.
 */
export class Supervisor {
  private readonly running = new Map<string, Running>();
  private stopping = false;

  constructor(private readonly opts: SupervisorOptions) {}

  start(spec: ServiceSpec): void {
    const child = spawn(process.execPath, ['--import', 'tsx', spec.entry, ...(spec.args ?? [])], {
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const entry: Running = this.running.get(spec.name) ?? { spec, child, restarts: [] };
    entry.child = child;
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
    child.once('exit', (code, signal) => this.onExit(entry, code, signal));
  }

  private onExit(entry: Running, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) return;
    const { name } = entry.spec;
    this.opts.print(name, `!!! ${name} exited unexpectedly (${signal ?? `code ${code}`})`);
    if (!this.opts.restart) {
      this.opts.onFatal(`${name} exited and STACK_RESTART_CHILDREN is off`);
      return;
    }
    const now = Date.now();
    const windowMs = this.opts.restartWindowMs ?? 60_000;
    entry.restarts = entry.restarts.filter((t) => now - t < windowMs);
    if (entry.restarts.length >= (this.opts.maxRestarts ?? 5)) {
      this.opts.onFatal(`${name} died ${entry.restarts.length + 1} times within ${windowMs / 1000} s`);
      return;
    }
    entry.restarts.push(now);
    const delay = Math.min(500 * 2 ** (entry.restarts.length - 1), 8_000);
    this.opts.print(name, `!!! restarting ${name} in ${delay} ms`);
    setTimeout(() => {
      if (!this.stopping) this.start(entry.spec);
    }, delay);
  }

  /** SIGTERM to every service, SIGKILL to any still alive after the grace period. */
  async stopAll(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.running.values()].map(({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
        return new Promise<void>((resolve) => {
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        });
      }),
    );
  }
}
