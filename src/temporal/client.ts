import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config.js';
import { createDataConverter } from './data-converter.js';

/** The address to use: TEMPORAL_ADDRESS, else the local dev server the stack starts. */
export function temporalAddress(config: Config): string {
  return config.temporal.address ?? `127.0.0.1:${config.temporal.devServerPort}`;
}

export async function connectClient(config: Config, address = temporalAddress(config)): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: createDataConverter(config),
  });
}
