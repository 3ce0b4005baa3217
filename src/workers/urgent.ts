import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { temporalAddress } from '../temporal/client.js';
import { createLaneWorker } from './lane-worker.js';

/** The `urgent` lane's worker process: connect, create, run until SIGINT/SIGTERM, close. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('worker-urgent', config.logLevel);
  const lane = config.lanes.mode === 'shared' ? 'shared' : 'urgent';
  const connection = await NativeConnection.connect({ address: temporalAddress(config) });
  try {
    const worker = await createLaneWorker({ config, log, connection, lane });
    log.info({ taskQueue: worker.options.taskQueue }, 'worker running');
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`worker-urgent: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
