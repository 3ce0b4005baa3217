import { createServer } from 'node:net';
import type { Config } from '../config.js';
import { StartupError } from '../startup-error.js';

/** A port the stack will listen on, and the setting that chooses it. */
export interface StackPort {
  setting: string;
  port: number;
  /** Where it listens, when not on 127.0.0.1. */
  host?: string;
}

/** The ports of the services both profiles run beside Temporal. */
export function appPorts(config: Config): StackPort[] {
  const ports = [
    { setting: 'PORT', port: config.api.port, host: config.api.host },
    { setting: 'SMTP_SINK_PORT', port: config.stack.smtpSinkPort },
    { setting: 'PROVIDER_SIM_PORT', port: config.stack.providerSimPort },
  ];
  // The autoscaler cannot run without its metrics port, and with it the whole video lane (a
  // worker's metrics port is optional: the worker runs on without it).
  if (config.autoscale.enabled && config.stack.runsVideoLane && config.lanes.mode === 'dedicated') {
    ports.push({
      setting: 'AUTOSCALE_METRICS_PORT',
      port: config.autoscale.metricsPort,
      host: config.workerMetrics.host,
    });
  }
  return ports;
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * Refuses to start when a port is taken, before anything starts: a service that cannot bind
 * would otherwise be restarted over and over, and the stack would only time out later.
 */
export async function assertPortsFree(ports: StackPort[]): Promise<void> {
  for (const { setting, port, host = '127.0.0.1' } of ports) {
    if (port === 0) continue; // 0: the service picks a free port itself
    if (!(await canListen(port, host))) {
      throw new StartupError(
        `port ${port} (${setting}) is in use by another program; stop it or set ${setting} to a free port`,
      );
    }
  }
}

/** A port free on 127.0.0.1 right now, as the system picks it. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
