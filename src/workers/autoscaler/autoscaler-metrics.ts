import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** The autoscaler's own Prometheus metrics: what it sees and what it decides, per task queue. */
export function createAutoscalerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['task_queue'] as const;
  return {
    registry,
    replicas: new Gauge({
      name: 'floodgate_autoscaler_replicas',
      help: 'Worker replicas running now',
      labelNames,
      registers: [registry],
    }),
    maxReplicas: new Gauge({
      name: 'floodgate_autoscaler_max_replicas',
      help: 'The most worker replicas the policy allows (AUTOSCALE_MAX_REPLICAS); replicas at this value cannot grow',
      labelNames,
      registers: [registry],
    }),
    desiredReplicas: new Gauge({
      name: 'floodgate_autoscaler_desired_replicas',
      help: 'Worker replicas the scaling policy asked for at the last decision',
      labelNames,
      registers: [registry],
    }),
    backlogTasks: new Gauge({
      name: 'floodgate_autoscaler_backlog_tasks',
      help: 'Approximate tasks waiting in the task queue (workflow and activity), as the server reports',
      labelNames,
      registers: [registry],
    }),
    backlogAgeSeconds: new Gauge({
      name: 'floodgate_autoscaler_backlog_age_seconds',
      help: 'Age of the oldest waiting task',
      labelNames,
      registers: [registry],
    }),
    decisions: new Counter({
      name: 'floodgate_autoscaler_decisions_total',
      help: 'Scaling decisions by direction (up, down, steady)',
      labelNames: ['task_queue', 'direction'] as const,
      registers: [registry],
    }),
  };
}

export type AutoscalerMetrics = ReturnType<typeof createAutoscalerMetrics>;

/** Serves GET /metrics on host:port; resolves once listening. */
export async function serveMetrics(registry: Registry, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
