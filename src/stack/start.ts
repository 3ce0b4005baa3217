import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { temporalBinaries } from '../temporal/binaries.js';
import { devServerArgs, waitForFrontend } from '../temporal/dev-server.js';
import { Supervisor, type ServiceSpec } from './supervisor.js';

/**
 * `npm start`: the whole local stack from one command — a Temporal dev server (unless
 * TEMPORAL_ADDRESS names a cluster), the SMTP sink, the simulated ML provider, the API and
 * one worker process per lane. Ctrl-C stops everything it started.
 */

const root = new URL('../../', import.meta.url).pathname;
const out = (line: string) => process.stdout.write(`${line}\n`);
const tag = (name: string) => `[${name}]`.padEnd(16);

function services(config: Config, env: Record<string, string>): ServiceSpec[] {
  // The urgent worker, the API and Temporal keep normal priority; video work and the simulated
  // provider's storm wait for the CPU behind them, so a burst cannot starve a password reset.
  const nice = config.stack.backgroundNice;
  const workers: ServiceSpec[] =
    config.lanes.mode === 'shared'
      ? [{ name: 'worker-shared', entry: join(root, 'src/workers/urgent.ts'), env }]
      : [
          { name: 'worker-urgent', entry: join(root, 'src/workers/urgent.ts'), env },
          { name: 'worker-video', entry: join(root, 'src/workers/video.ts'), env, nice },
        ];
  return [
    { name: 'smtp-sink', entry: join(root, 'dev/smtp-sink/main.ts'), env },
    { name: 'provider-sim', entry: join(root, 'dev/provider/main.ts'), env, nice },
    { name: 'api', entry: join(root, 'src/api/server.ts'), env },
    ...workers,
  ];
}

/** Children inherit the environment; derived addresses follow the configured ports unless set. */
function childEnv(config: Config, temporalAddress: string): Record<string, string> {
  const env: Record<string, string> = { TEMPORAL_ADDRESS: temporalAddress, DATA_DIR: config.dataDir };
  if (!process.env.SMTP_URL) env.SMTP_URL = `smtp://127.0.0.1:${config.stack.smtpSinkPort}`;
  if (!process.env.PROVIDER_BASE_URL)
    env.PROVIDER_BASE_URL = `http://127.0.0.1:${config.stack.providerSimPort}`;
  return env;
}

async function waitForApi(config: Config, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${config.api.port}/readyz`, {
        signal: AbortSignal.timeout(1_000),
      });
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

function banner(config: Config, temporalAddress: string, ownServer: boolean): void {
  const rel = relative(process.cwd(), config.dataDir) || '.';
  out('');
  out('Floodgate is up');
  out(`  API            http://127.0.0.1:${config.api.port}`);
  out(
    `  Temporal       ${temporalAddress}${ownServer ? `  (dev server, state in ${rel}/temporal.sqlite)` : ''}`,
  );
  if (ownServer) out(`  Web UI         http://127.0.0.1:${config.temporal.uiPort}`);
  out(`  Provider sim   http://127.0.0.1:${config.stack.providerSimPort}`);
  out(`  SMTP sink      127.0.0.1:${config.stack.smtpSinkPort}  (mail kept in ${rel}/mail/*.eml)`);
  out(`  Lanes          ${config.lanes.mode === 'shared' ? 'shared (comparison mode)' : 'urgent, video'}`);
  if (config.usingDevSecrets) {
    out('  Development secrets in use (set these variables to replace them):');
    out(`    API_KEYS=${config.api.apiKeys.join(',')}`);
    out(`    REPLICATE_WEBHOOK_SECRETS=${config.webhooks.replicateSecrets.join(',')}`);
    out(`    GENERIC_WEBHOOK_SECRETS=${config.webhooks.genericSecrets.join(',')}`);
  }
  out('Ctrl-C stops everything.');
  out('');
}

async function main(): Promise<void> {
  const config = loadConfig();
  mkdirSync(config.dataDir, { recursive: true });

  let shuttingDown = false;
  const supervisor = new Supervisor({
    restart: config.stack.restartChildren,
    print: (name, line) => {
      if (!shuttingDown) out(`${tag(name)}${line}`);
    },
    onFatal: (reason) => {
      out(`${tag('stack')}!!! ${reason}; stopping the stack`);
      void shutdown(1);
    },
    pidDir: join(config.dataDir, 'run'),
  });

  async function shutdown(code: number): Promise<void> {
    if (shuttingDown) return;
    shuttingDown = true;
    out(`${tag('stack')}stopping…`);
    // Clients first, the server they talk to last, so nothing logs a lost connection on the way out.
    await Promise.all(
      supervisor
        .names()
        .filter((n) => n !== 'temporal')
        .map((n) => supervisor.stop(n)),
    );
    await supervisor.stopAll();
    out(`${tag('stack')}stopped`);
    process.exit(code);
  }
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  let temporalAddress = config.temporal.address;
  const ownServer = !temporalAddress;
  if (!temporalAddress) {
    out(`${tag('stack')}starting Temporal dev server on 127.0.0.1:${config.temporal.devServerPort}…`);
    // Supervised like every other service: after a crash it restarts on the same SQLite file,
    // and the API answers 503 meanwhile while the workers reconnect by themselves.
    const dbFile = join(config.dataDir, 'temporal.sqlite');
    supervisor.start({
      name: 'temporal',
      command: temporalBinaries().cli,
      args: devServerArgs({
        port: config.temporal.devServerPort,
        uiPort: config.temporal.uiPort,
        dbFile,
        namespace: config.temporal.namespace,
        extraArgs: config.temporal.devServerExtraArgs,
        uiCodecEndpoint: config.payloadEncryption.keys.length
          ? `http://127.0.0.1:${config.api.port}/codec`
          : undefined,
      }),
    });
    temporalAddress = `127.0.0.1:${config.temporal.devServerPort}`;
    const server = supervisor.process('temporal');
    await waitForFrontend(temporalAddress, config.temporal.namespace, Date.now() + 30_000, () =>
      server && server.exitCode === null && server.signalCode === null ? undefined : 'exited',
    );
  } else {
    out(
      `${tag('stack')}using the Temporal cluster at ${temporalAddress} (TEMPORAL_ADDRESS); no dev server started`,
    );
  }

  const env = childEnv(config, temporalAddress);
  for (const spec of services(config, env)) supervisor.start(spec);

  if (await waitForApi(config, 90_000)) banner(config, temporalAddress, ownServer);
  else out(`${tag('stack')}!!! the API did not become ready within 90 s; see the lines above`);
}

main().catch((err: unknown) => {
  const message =
    err instanceof ConfigError
      ? err.message
      : err instanceof Error
        ? (err.stack ?? err.message)
        : String(err);
  process.stderr.write(`floodgate: ${message}\n`);
  process.exit(1);
});
