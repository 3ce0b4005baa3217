import { parseArgs } from 'node:util';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { temporalAddress } from '../src/temporal/client.js';
import { createLaneWorker } from '../src/workers/lane-worker.js';
import { buildUrgentActivities } from '../src/workers/urgent-activities.js';
import { buildVideoActivities } from '../src/workers/video-activities.js';
import { syntheticVideoActivities } from './synthetic-video-load.js';

/**
 * The bench's video-lane worker process: the real video lane worker (its slots, pollers and
 * queue rate limit) with the synthetic slow download added and the bench's workflow bundle.
 * With LANE_MODE=shared it is instead the one worker that serves the shared queue with every
 * activity, mails included: the comparison design.
 *
 *   node --import tsx bench/video-worker.ts --download-ms 2000
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'download-ms': { type: 'string', default: '2000' } } });
  const downloadMs = Number(values['download-ms']);
  if (!Number.isFinite(downloadMs) || downloadMs < 0) throw new Error('--download-ms: not a duration in ms');

  const config = loadConfig();
  const log = createLogger('bench-video-worker', config.logLevel);
  const shared = config.lanes.mode === 'shared';
  const connection = await NativeConnection.connect({ address: temporalAddress(config) });
  try {
    const worker = await createLaneWorker({
      config,
      log,
      connection,
      lane: shared ? 'shared' : 'video',
      overrides: {
        workflowsPath: new URL('./workflows.ts', import.meta.url).pathname,
        activities: {
          ...buildVideoActivities(config, log),
          ...(shared ? buildUrgentActivities(config, log) : {}),
          ...syntheticVideoActivities(downloadMs),
        },
      },
    });
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench-video-worker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
