import { loadConfig } from '../../config.js';
import { startVideoAutoscaler } from './video-autoscaler.js';
import { exitOnFailure } from '../../exit-on-failure.js';

/**
 * The video lane's autoscaler process, run in place of the one video worker (`npm start` with
 * VIDEO_AUTOSCALE=on, or `npm run autoscale`): it starts and stops video worker processes from
 * the lane's backlog. SIGINT/SIGTERM drain and stop every replica before it exits.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const running = await startVideoAutoscaler(config, { print });
  const a = config.autoscale;
  print(
    `autoscaling video workers ${a.minReplicas}–${a.maxReplicas} every ${a.intervalMs} ms; ` +
      `metrics on ${running.metricsUrl}`,
  );
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    print('stopping: draining video workers…');
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        print(`stop failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch(exitOnFailure('autoscaler', { linePerProblem: true }));
