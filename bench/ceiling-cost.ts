import type { ServerWorkPerJob } from './engine-work.js';
import type { CpuSecondsByRole } from './process-cpu.js';
import type { StormEngineCost } from './run-once.js';
import { WEBHOOKS_PER_JOB } from './webhook-load.js';

/** What the stack costs with resets only (the idle baseline): CPU per process and server requests, in total. */
export interface IdleCost {
  seconds: number;
  cpuSeconds: CpuSecondsByRole;
  serverWork: ServerWorkPerJob;
}

/**
 * A step's cost without what its resets and the idle stack would have cost over the same span
 * (the idle baseline's rate × the step's length): what the webhooks themselves cost, comparable
 * with the bench's cost phase, which runs no resets. Never below zero.
 */
export function netOfIdle(cost: StormEngineCost, windowMs: number, idle: IdleCost): StormEngineCost {
  const scale = idle.seconds > 0 ? windowMs / 1000 / idle.seconds : 0;
  const cpuSeconds = Object.fromEntries(
    Object.entries(cost.cpuSeconds).map(([role, s]) => [
      role,
      Math.max(0, s - (idle.cpuSeconds[role as keyof CpuSecondsByRole] ?? 0) * scale),
    ]),
  ) as CpuSecondsByRole;
  const jobs = cost.webhooksAccepted / WEBHOOKS_PER_JOB;
  const work = (key: keyof ServerWorkPerJob) => {
    const [perJob, idleTotal] = [cost.serverWorkPerJob[key], idle.serverWork[key]];
    if (perJob === undefined || idleTotal === undefined || jobs <= 0) return undefined;
    return Math.round(Math.max(0, perJob - (idleTotal * scale) / jobs) * 10) / 10;
  };
  return {
    ...cost,
    cpuSeconds,
    serverWorkPerJob: {
      persistenceRequests: work('persistenceRequests'),
      visibilityRequests: work('visibilityRequests'),
    },
  };
}
