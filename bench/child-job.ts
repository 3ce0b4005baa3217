import { spawn } from 'node:child_process';

export interface ChildJob {
  /** The child's stdout once it exited with code 0; rejects otherwise. */
  output: Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the child is gone. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * A TypeScript entry run to completion in its own Node process (tsx loader), for finite jobs
 * such as the storm; long-running services go through the stack's Supervisor instead.
 */
export function startChildJob(
  entry: string,
  args: string[],
  env: Record<string, string>,
  printStderr: (line: string) => void,
): ChildJob {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) if (line.trim()) printStderr(line);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(null));
    child.once('exit', (code) => resolve(code));
  });
  const output = exited.then((code) => {
    if (code !== 0) throw new Error(`${entry} exited with ${code ?? 'a signal or spawn error'}`);
    return stdout;
  });
  output.catch(() => undefined);

  return {
    output,
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
}
