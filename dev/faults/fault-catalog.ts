import type { ChaosKnobs } from '../provider/chaos.js';

/** What a fault may touch: the running stack's processes (by service name) and the provider's knobs. */
export interface FaultTarget {
  /** The PID the supervisor wrote for a service, if it runs. */
  pid(service: string): number | undefined;
  setProviderChaos(update: Partial<ChaosKnobs>): Promise<void>;
}

export interface Fault {
  name: string;
  /** One line for the table: what was done. */
  what: string;
  /** Injects the fault and resolves when it is over (a kill is over at once; an outage after `windowMs`). */
  inject(target: FaultTarget, windowMs: number): Promise<void>;
}

/** A stack's set of faults; a cluster profile adds its own (PostgreSQL, the Temporal server) beside these. */
export interface FaultProfile {
  name: string;
  faults: Fault[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function signal(target: FaultTarget, service: string, sig: NodeJS.Signals): number {
  const pid = target.pid(service);
  if (!pid) throw new Error(`${service} is not running (no PID file)`);
  process.kill(pid, sig);
  return pid;
}

/** kill -9 of one service; the supervisor restarts it. */
export function killService(service: string, label = service): Fault {
  return {
    name: `kill -9 ${label}`,
    what: `SIGKILL to ${service}; the supervisor restarts it`,
    inject: async (target) => void signal(target, service, 'SIGKILL'),
  };
}

/**
 * A service that takes connections but never answers, for the whole window (SIGSTOP, then
 * SIGCONT): what a hung host or a network black hole looks like to its clients.
 */
export function stallService(service: string, name: string): Fault {
  return {
    name,
    what: `${service} stopped (SIGSTOP) for the window, then resumed`,
    inject: async (target, windowMs) => {
      const pid = signal(target, service, 'SIGSTOP');
      try {
        await sleep(windowMs);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
    },
  };
}

/** The provider's status and file routes answer 500 for the window. */
export function providerErrors(): Fault {
  return {
    name: 'provider 5xx',
    what: 'provider status and file routes answer 500 for the window',
    inject: async (target, windowMs) => {
      await target.setProviderChaos({ statusErrorPercent: 100, fileErrorPercent: 100 });
      try {
        await sleep(windowMs);
      } finally {
        await target.setProviderChaos({ statusErrorPercent: 0, fileErrorPercent: 0 });
      }
    },
  };
}

/** `npm start`'s profile: the dev server, API, both lane workers, SMTP sink and simulated provider. */
export const DEV_SERVER_PROFILE: FaultProfile = {
  name: 'dev-server',
  faults: [
    killService('temporal', 'Temporal dev server'),
    killService('api', 'API'),
    killService('worker-video', 'video worker'),
    killService('worker-urgent', 'urgent worker'),
    stallService('smtp-sink', 'SMTP sink down'),
    providerErrors(),
    stallService('provider-sim', 'provider unreachable'),
  ],
};
