import { join } from 'node:path';
import type { Supervisor } from '../../stack/supervisor.js';

export interface VideoFleetOptions {
  supervisor: Supervisor;
  /** Environment every replica gets (Temporal address, DATA_DIR, slots…). */
  env: Record<string, string>;
  /** Replica n (from 1) serves its SDK metrics on this + n - 1; 0 leaves the exporter off. */
  metricsBasePort: number;
  /** How long a stopping replica may drain before it is killed. */
  stopGraceMs: number;
}

const videoEntry = join(new URL('..', import.meta.url).pathname, 'video.ts');

/**
 * The video lane's worker processes, numbered 1…n under the supervisor (`worker-video-<n>`),
 * so a crashed replica is restarted under the same name and metrics port. Growing starts the
 * next numbers; shrinking stops the newest replica first, with SIGTERM so the SDK drains it.
 */
export class VideoFleet {
  private count = 0;

  constructor(private readonly opts: VideoFleetOptions) {}

  get size(): number {
    return this.count;
  }

  static replicaName(index: number): string {
    return `worker-video-${index}`;
  }

  /** PIDs of the replicas' current processes, by name (a replica being restarted has none). */
  pids(): Record<string, number | undefined> {
    const out: Record<string, number | undefined> = {};
    for (let i = 1; i <= this.count; i++) {
      const name = VideoFleet.replicaName(i);
      out[name] = this.opts.supervisor.process(name)?.pid;
    }
    return out;
  }

  async scaleTo(replicas: number): Promise<void> {
    while (this.count < replicas) {
      this.count += 1;
      const port = this.opts.metricsBasePort ? this.opts.metricsBasePort + this.count - 1 : 0;
      this.opts.supervisor.start({
        name: VideoFleet.replicaName(this.count),
        entry: videoEntry,
        env: {
          ...this.opts.env,
          VIDEO_WORKER_METRICS_PORT: String(port),
          WORKER_PARENT_PID: String(process.pid),
        },
      });
    }
    while (this.count > replicas) {
      const name = VideoFleet.replicaName(this.count);
      this.count -= 1;
      await this.opts.supervisor.stop(name, this.opts.stopGraceMs);
    }
  }
}
