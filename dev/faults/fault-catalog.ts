import { urgentWorkerName } from '../../src/stack/urgent-workers.js';
import { VideoFleet } from '../../src/workers/autoscaler/video-fleet.js';
import type { ChaosKnobs } from '../provider/chaos.js';

/** What a fault may touch: the running stack's processes (by service name) and the provider's knobs. */
export interface FaultTarget {
  /** The PID the supervisor wrote for a service, if it runs. */
  pid(service: string): number | undefined;
  setProviderChaos(update: Partial<ChaosKnobs>): Promise<void>;
  /** The stack's Temporal Web UI. */
  uiUrl: string;
  /** The health URL of the stack's own object store, when it runs one (the cluster profile). */
  objectStoreHealthUrl?: string;
}

export interface Fault {
  name: string;
  /** One line for the table: what was done. */
  what: string;
  /** Injects the fault and resolves when it is over (a kill is over at once; an outage after `windowMs`). */
  inject(target: FaultTarget, windowMs: number): Promise<void>;
  /**
   * What recovery means for this fault beyond the app's own signs (ready, a reset mailed, a
   * video task run): e.g. the killed process replaced and, for a UI, its page served again.
   */
  recovered?(target: FaultTarget): Promise<boolean>;
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

/** Whether `url` answers 200 within a few seconds. */
async function answers(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3_000) }).catch(() => undefined);
  await res?.body?.cancel();
  return res?.status === 200;
}

/**
 * kill -9 of one service; the supervisor restarts it. Recovered once another process runs in
 * its place and, if `serves` is given, that URL of the stack answers 200 again.
 */
export function killService(
  service: string,
  label = service,
  serves?: (target: FaultTarget) => string,
): Fault {
  let killed: number | undefined;
  return {
    name: `kill -9 ${label}`,
    what: `SIGKILL to ${service}; the supervisor restarts it`,
    inject: async (target) => void (killed = signal(target, service, 'SIGKILL')),
    recovered: async (target) => {
      const now = target.pid(service);
      if (now === undefined || now === killed) return false;
      return serves ? answers(serves(target)) : true;
    },
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

/**
 * The app's own processes and neighbours, the same in every profile. `videoWorker` is the video
 * worker's service name: `worker-video`, or an autoscaled replica (`worker-video-1`);
 * `urgentWorker` the urgent lane's (`worker-urgent`, or one of the cluster's `worker-urgent-1`…);
 * `api` the API's faults (one process, or replicas behind a load balancer).
 */
function appFaults(
  videoWorker: string,
  urgentWorker: string,
  api: Fault[] = [killService('api', 'API')],
): Fault[] {
  return [
    ...api,
    killService(videoWorker, 'video worker'),
    killService(urgentWorker, 'urgent worker'),
    stallService('smtp-sink', 'SMTP sink down'),
    providerErrors(),
    stallService('provider-sim', 'provider unreachable'),
  ];
}

/** `npm start`'s profile: the dev server, API, both lane workers, SMTP sink and simulated provider. */
export const DEV_SERVER_PROFILE: FaultProfile = {
  name: 'dev-server',
  faults: [killService('temporal', 'Temporal dev server'), ...appFaults('worker-video', 'worker-urgent')],
};

/**
 * kill -9 of a busy API replica: it is first frozen for a second (SIGSTOP), so requests the
 * load balancer had already sent it are in flight when it dies — the case its retry rule is
 * for — then killed. Recovered once the supervisor runs a new process in its place.
 */
export function killApiReplica(service = 'api-1', label = 'one API replica'): Fault {
  const kill = killService(service, label);
  return {
    ...kill,
    what: `SIGKILL to ${service} (mid-request: frozen 1 s first); nginx sends its requests to the others, the supervisor restarts it`,
    inject: async (target, windowMs) => {
      signal(target, service, 'SIGSTOP');
      await sleep(1_000);
      await kill.inject(target, windowMs);
    },
  };
}

/** How slow the provider's files are before the store dies, and for how long (see below). */
const UPLOAD_BYTES_PER_SECOND = 16 * 1024;
const UPLOADS_OPEN_MS = 3_000;

/**
 * kill -9 of the cluster's object store (versitygw) while videos are uploaded. The storm's
 * files are small (64 KB, one part): at full speed an upload is open for milliseconds and a
 * kill seldom meets one, so the provider's files are first slowed to 16 KB/s for 3 s — every
 * download begun then holds an open multipart upload when the store dies, and sends its part
 * after. One that meets the dead store fails its attempt; the retry continues the upload named
 * in the heartbeat (or finds the object complete). Recovered once a new store process answers
 * its health URL; the storm's own checks hold it to one stored object per job.
 */
export function killObjectStore(): Fault {
  const kill = killService('object-store', 'object store', (target) => target.objectStoreHealthUrl ?? '');
  return {
    ...kill,
    what:
      'SIGKILL to object-store with uploads open (provider files slowed to 16 KB/s for 3 s first); ' +
      'the supervisor restarts it',
    inject: async (target, windowMs) => {
      // Said before the kill: an external store (S3_ENDPOINT) is not this stack's to kill.
      if (!target.objectStoreHealthUrl) throw new Error('this stack runs no object store of its own');
      await target.setProviderChaos({ fileBytesPerSecond: UPLOAD_BYTES_PER_SECOND });
      try {
        await sleep(UPLOADS_OPEN_MS);
        await kill.inject(target, windowMs);
      } finally {
        // Downloads already begun keep their pace: they finish (and upload) after the kill.
        await target.setProviderChaos({ fileBytesPerSecond: 0 });
      }
    },
  };
}

/**
 * `npm run start:cluster`'s profile: the app's faults, plus the cluster's own processes — the
 * Temporal server, the urgent lane's own Temporal server (recovered by the app's own sign that a
 * reset sent after it is mailed), PostgreSQL under both, the Web UI server (recovered once its
 * page loads), the object store the videos go to (recovered once it answers) — the video
 * autoscaler, and each of the API's replicas and the nginx in front of them.
 */
export const CLUSTER_PROFILE: FaultProfile = {
  name: 'cluster',
  faults: [
    killService('temporal', 'Temporal server'),
    killService('temporal-urgent', "urgent lane's Temporal server"),
    killService('postgres', 'PostgreSQL'),
    killService('temporal-ui', 'Web UI server', (target) => target.uiUrl),
    killObjectStore(),
    // The video lane runs under the autoscaler here: kill it, and one of its replicas.
    killService('autoscaler', 'video autoscaler'),
    ...appFaults(VideoFleet.replicaName(1), urgentWorkerName(1), [
      killApiReplica('api-1'),
      killApiReplica('api-2', 'the other API replica'),
      killService('nginx', 'load balancer (nginx)'),
    ]),
  ],
};

export const FAULT_PROFILES: Record<string, FaultProfile> = {
  [DEV_SERVER_PROFILE.name]: DEV_SERVER_PROFILE,
  [CLUSTER_PROFILE.name]: CLUSTER_PROFILE,
};
