import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startSimulatedProvider } from './simulated-provider.js';

/** `npm start`'s simulated ML provider process; chaos is turned on at run time via `/_sim/chaos`. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('provider-sim', config.logLevel);
  const provider = await startSimulatedProvider({
    port: config.stack.providerSimPort,
    apiToken: config.provider.apiToken,
    webhookSecret: config.webhooks.replicateSecrets[0]!,
  });
  log.info({ url: provider.url }, 'simulated ML provider listening');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, stats: provider.stats().webhooks }, 'stopping simulated ML provider');
    provider.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`provider-sim: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
