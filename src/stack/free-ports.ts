import { createServer } from 'node:net';
import type { Config } from '../config.js';
import { StartupError } from '../startup-error.js';

/** A port the stack will listen on, and the setting that chooses it. */
export interface StackPort {
  setting: string;
  port: number;
}

/** The ports of the services both profiles run beside Temporal. */
export function appPorts(config: Config): StackPort[] {
  return [
    { setting: 'PORT', port: config.api.port },
    { setting: 'SMTP_SINK_PORT', port: config.stack.smtpSinkPort },
    { setting: 'PROVIDER_SIM_PORT', port: config.stack.providerSimPort },
  ];
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
export async function assertPortsFree(ports: StackPort[], host = '127.0.0.1'): Promise<void> {
  for (const { setting, port } of ports) {
    if (port === 0) continue; // 0: the service picks a free port itself
    if (!(await canListen(port, host))) {
      throw new StartupError(
        `port ${port} (${setting}) is in use by another program; stop it or set ${setting} to a free port`,
      );
    }
  }
}
