import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadConfig, type Config } from '../config.js';
import { temporalBinaries } from '../temporal/binaries.js';
import { devServerArgs, waitForFrontend } from '../temporal/dev-server.js';
import { appServices, bannerLines, childEnv, waitForApi } from './app-services.js';
import { Supervisor } from './supervisor.js';
import { exitOnFailure } from '../exit-on-failure.js';

/**
 * `npm start`: the whole local stack from one command — a Temporal dev server (unless
 * TEMPORAL_ADDRESS names a cluster), the SMTP sink, the simulated ML provider, the API and
 * one worker process per lane. Ctrl-C stops everything it started.
 */

const out = (line: string) => process.stdout.write(`${line}\n`);
const tag = (name: string) => `[${name}]`.padEnd(16);

function banner(config: Config, temporalAddress: string, ownServer: boolean): void {
  const rel = relative(process.cwd(), config.dataDir) || '.';
  const temporalLines = [
    `  Temporal       ${temporalAddress}${ownServer ? `  (dev server, state in ${rel}/temporal.sqlite)` : ''}`,
  ];
  if (ownServer) temporalLines.push(`  Web UI         http://127.0.0.1:${config.temporal.uiPort}`);
  for (const line of bannerLines(config, temporalLines)) out(line);
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
  for (const spec of appServices(config, env)) supervisor.start(spec);

  if (await waitForApi(config, 90_000)) banner(config, temporalAddress, ownServer);
  else out(`${tag('stack')}!!! the API did not become ready within 90 s; see the lines above`);
}

main().catch(exitOnFailure('floodgate'));
