import type { Client } from '@temporalio/client';
import { TASK_QUEUES } from '../shared/task-queues.js';
import { urgentTemporalTarget } from '../temporal/client.js';
import type { ApiDeps } from './deps.js';
import { queuesWithoutPollers } from '../temporal/lane-pollers.js';

export type Readiness =
  | { ready: true; temporal: 'reachable' }
  | { ready: false; temporal: 'unreachable' }
  | { ready: false; temporal: 'reachable'; lanesWithoutWorkers: string[] };

/** A probe every second from several load balancers costs at most one round of calls. */
const CACHE_MS = 1_000;
/** Both the reachability call and the poller calls stop waiting after this. */
const DEADLINE_MS = 2_000;

/**
 * Ready means Temporal answers and every configured lane has a live worker polling its task
 * queue, so the first request after "ready" is served as fast as any other. With the urgent
 * lane on a server of its own, that server must answer and have its urgent worker too. The
 * answer is cached briefly and concurrent probes share one check.
 */
export function createReadinessCheck(
  deps: Pick<ApiDeps, 'client' | 'urgentClient' | 'config' | 'log'>,
): () => Promise<Readiness> {
  let cached: { at: number; value: Promise<Readiness> } | undefined;
  const { client, urgentClient, config } = deps;
  const servers: Array<{ client: Client; namespace: string; queues: string[] }> = [
    { client, namespace: config.temporal.namespace, queues: config.api.readyTaskQueues },
  ];
  if (urgentClient && urgentClient !== client) {
    servers.push({
      client: urgentClient,
      namespace: urgentTemporalTarget(config).namespace,
      queues: config.api.readyTaskQueues.filter((q) => q === TASK_QUEUES.urgent),
    });
  }

  async function checkServer(server: Client, namespace: string, queues: string[]): Promise<Readiness> {
    try {
      // Bounded twice: a deadline for a server that does not answer, and the client's short
      // retry budget for one that refuses connections (src/temporal/client.ts).
      await server.withDeadline(Date.now() + DEADLINE_MS, () => server.workflowService.getSystemInfo({}));
    } catch (err) {
      deps.log.warn({ err: String(err) }, 'readiness check: Temporal unreachable');
      return { ready: false, temporal: 'unreachable' };
    }
    try {
      const missing = await server.withDeadline(Date.now() + DEADLINE_MS, () =>
        queuesWithoutPollers(server, namespace, queues),
      );
      if (missing.length === 0) return { ready: true, temporal: 'reachable' };
      return { ready: false, temporal: 'reachable', lanesWithoutWorkers: missing };
    } catch (err) {
      deps.log.warn({ err: String(err) }, 'readiness check: task queues not described');
      return { ready: false, temporal: 'unreachable' };
    }
  }

  async function check(): Promise<Readiness> {
    const results = await Promise.all(servers.map((s) => checkServer(s.client, s.namespace, s.queues)));
    return results.find((r) => !r.ready) ?? results[0]!;
  }

  return () => {
    const now = Date.now();
    if (!cached || now - cached.at >= CACHE_MS) cached = { at: now, value: check() };
    return cached.value;
  };
}
