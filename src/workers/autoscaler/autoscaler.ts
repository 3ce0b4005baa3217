import type { AutoscalerMetrics } from './autoscaler-metrics.js';
import type { DecisionRecord } from './decision-line.js';
import type { LaneBacklog } from './lane-backlog.js';
import { desiredReplicas, type ScalingPolicy } from './scaling-policy.js';

export interface AutoscalerOptions {
  taskQueue: string;
  policy: ScalingPolicy;
  intervalMs: number;
  readBacklog(): Promise<LaneBacklog>;
  /** The machine's busy CPU share since the last tick, where the replicas share one machine. */
  readMachineCpu?(): number | undefined;
  /** Brings the fleet to this many replicas (stopping replicas waits for them to drain). */
  scaleTo(replicas: number): Promise<void>;
  metrics?: AutoscalerMetrics;
  onDecision?(decision: DecisionRecord): void;
  /** A backlog read that failed (server restarting…): the fleet is left as it is. */
  onError?(err: unknown): void;
}

/**
 * The loop that acts: every interval it reads the lane's backlog, asks the policy for a replica
 * count and brings the fleet to it. It starts at the minimum. Reads that fail change nothing.
 */
export class Autoscaler {
  private replicas = 0;
  private lastChangeAt = 0;
  private stopped = false;
  private wake?: () => void;
  private loop?: Promise<void>;

  constructor(private readonly opts: AutoscalerOptions) {}

  get currentReplicas(): number {
    return this.replicas;
  }

  async start(): Promise<void> {
    this.opts.metrics?.maxReplicas.set({ task_queue: this.opts.taskQueue }, this.opts.policy.maxReplicas);
    await this.apply(this.opts.policy.minReplicas);
    this.loop = this.run();
  }

  /** One read-decide-act step; returns the decision taken. */
  async tick(): Promise<DecisionRecord> {
    const backlog = await this.opts.readBacklog();
    const since = this.lastChangeAt ? (Date.now() - this.lastChangeAt) / 1000 : Infinity;
    const cpu = this.opts.readMachineCpu?.();
    const decision = desiredReplicas(this.replicas, backlog, this.opts.policy, since, cpu);
    const record: DecisionRecord = {
      at: new Date(),
      backlog,
      from: this.replicas,
      to: decision.replicas,
      direction: decision.direction,
      reason: decision.reason,
    };
    const m = this.opts.metrics;
    const labels = { task_queue: this.opts.taskQueue };
    m?.backlogTasks.set(labels, backlog.backlogCount);
    m?.backlogAgeSeconds.set(labels, backlog.oldestAgeSeconds);
    m?.desiredReplicas.set(labels, decision.replicas);
    m?.decisions.inc({ ...labels, direction: decision.direction });
    this.opts.onDecision?.(record);
    if (decision.replicas !== this.replicas) await this.apply(decision.replicas);
    return record;
  }

  private async apply(replicas: number): Promise<void> {
    await this.opts.scaleTo(replicas);
    this.replicas = replicas;
    this.lastChangeAt = Date.now();
    this.opts.metrics?.replicas.set({ task_queue: this.opts.taskQueue }, replicas);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.opts.intervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (this.stopped) break;
      try {
        await this.tick();
      } catch (err) {
        this.opts.onError?.(err);
      }
    }
  }

  /** Ends the loop after the step in progress; the fleet is left to the caller to stop. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }
}
