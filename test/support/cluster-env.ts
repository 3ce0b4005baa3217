import { stackPorts } from './stack-ports.js';

/** The environment of a throw-away `start:cluster` stack from code: its ports, DATA_DIR, quiet logs, no outside cluster. */
export async function clusterTestEnv(dataDir: string): Promise<Record<string, string>> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    TEMPORAL_ADDRESS: '',
    DATA_DIR: dataDir,
    ...(await stackPorts('cluster')),
  };
}
