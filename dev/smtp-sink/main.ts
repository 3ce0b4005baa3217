import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startSmtpSink } from './smtp-sink.js';

/** The local stack's SMTP sink process: keeps every mail under `<DATA_DIR>/mail`. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('smtp-sink', config.logLevel);
  const dir = join(config.dataDir, 'mail');
  const sink = await startSmtpSink({ port: config.stack.smtpSinkPort, dir });
  log.info({ port: sink.port, dir }, 'SMTP sink listening');
  const shutdown = () => {
    sink.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`smtp-sink: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
