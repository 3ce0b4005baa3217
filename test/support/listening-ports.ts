import { execFileSync } from 'node:child_process';

interface Listener {
  proto: string;
  port: number;
  pids: number[];
}

/** Every listening TCP socket and bound UDP socket on this machine, with the processes that hold it. */
function listeners(): Listener[] {
  return execFileSync('ss', ['-ltunpH'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const [proto = '', , , , local = ''] = line.trim().split(/\s+/);
      const pids = [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
      return { proto, port: Number(local.slice(local.lastIndexOf(':') + 1)), pids };
    });
}

/** The ports (as `tcp:<port>` / `udp:<port>`) that any of `pids` listens on. */
export function portsHeldBy(pids: Iterable<number>): string[] {
  const wanted = new Set(pids);
  const held = listeners().filter((l) => l.pids.some((pid) => wanted.has(pid)));
  return [...new Set(held.map((l) => `${l.proto}:${l.port}`))].sort();
}

/** Which of `ports` (as `portsHeldBy` names them) some process still listens on. */
export function stillListening(ports: string[]): string[] {
  const now = new Set(listeners().map((l) => `${l.proto}:${l.port}`));
  return ports.filter((p) => now.has(p));
}
