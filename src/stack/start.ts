import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigError, loadConfig, wantsStackTraces, type Config } from '../config.js';
import { hasCredentials } from '../temporal/connection-options.js';
import { StartupError } from '../startup-error.js';
import { temporalBinaries } from '../temporal/binaries.js';
import { devServerArgs, waitForFrontend } from '../temporal/dev-server.js';
import { appServices, bannerLines, childEnv, waitForApi } from './app-services.js';
import { appPorts, assertPortsFree, type StackPort } from './free-ports.js';
import { Supervisor } from './supervisor.js';
import { exitOnFailure } from '../exit-on-failure.js';

/**
 * `npm start`: the whole local stack from one command — a Temporal dev server (unless
 * TEMPORAL_ADDRESS names a cluster), the SMTP sink, the simulated ML provider, the API and
 * one worker process per lane. Ctrl-C stops everything it started.
 */

const out = (line: string) => process.stdout.write(`${line}\n`);
const tag = (name: string) => `[${name}]`.padEnd(16);

function banner(config: Config, temporalAddress: string, ownServer: boolean, urgentAddress?: string): void {
  const rel = relative(process.cwd(), config.dataDir) || '.';
  const temporalLines = [
    `  Temporal       ${temporalAddress}${ownServer ? `  (dev server, state in ${rel}/temporal.sqlite)` : ''}`,
  ];
  if (ownServer) temporalLines.push(`  Web UI         http://127.0.0.1:${config.temporal.uiPort}`);
  if (urgentAddress && config.stack.ownUrgentServer && !config.temporal.urgentAddress) {
    temporalLines.push(
      `  Urgent lane    ${urgentAddress}  (its own dev server, state in ${rel}/temporal-urgent.sqlite)`,
      `  its Web UI     http://127.0.0.1:${config.temporal.urgentUiPort}  (password resets)`,
    );
  } else if (urgentAddress) {
    temporalLines.push(`  Urgent lane    ${urgentAddress}  (URGENT_TEMPORAL_ADDRESS)`);
  }
  for (const line of bannerLines(config, temporalLines)) out(line);
}

/** The ports this start will listen on: the app's, and those of the dev servers it runs. */
function stackPorts(config: Config): StackPort[] {
  const { temporal } = config;
  const ports = appPorts(config);
  if (!temporal.address) {
    ports.push({ setting: 'TEMPORAL_PORT', port: temporal.devServerPort });
    ports.push({ setting: 'TEMPORAL_UI_PORT', port: temporal.uiPort });
  }
  if (!temporal.urgentAddress && config.stack.ownUrgentServer) {
    ports.push({ setting: 'URGENT_TEMPORAL_PORT', port: temporal.urgentDevServerPort });
    ports.push({ setting: 'URGENT_TEMPORAL_UI_PORT', port: temporal.urgentUiPort });
  }
  return ports;
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.temporal.address && hasCredentials(config)) {
    throw new ConfigError(
      'invalid configuration:\n  TEMPORAL_API_KEY / TEMPORAL_TLS_*: set, but no Temporal address is (TEMPORAL_ADDRESS or ' +
        "the profile's), and npm start's own dev server takes neither: name the cluster, or unset them",
    );
  }
  await assertPortsFree(stackPorts(config));
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
        .filter((n) => !n.startsWith('temporal'))
        .map((n) => supervisor.stop(n)),
    );
    await supervisor.stopAll();
    out(`${tag('stack')}stopped`);
    process.exit(code);
  }
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  /** A supervised dev server: after a crash it restarts on the same SQLite file. */
  async function startDevServer(
    name: string,
    port: number,
    uiPort: number,
    dbName: string,
    extraArgs: string[],
  ) {
    out(`${tag('stack')}starting Temporal dev server ${name} on 127.0.0.1:${port}…`);
    supervisor.start({
      name,
      command: temporalBinaries().cli,
      args: devServerArgs({
        port,
        uiPort,
        dbFile: join(config.dataDir, dbName),
        namespace: config.temporal.namespace,
        extraArgs,
        uiCodecEndpoint: config.payloadEncryption.keys.length
          ? `http://127.0.0.1:${config.api.port}/codec`
          : undefined,
      }),
    });
    const address = `127.0.0.1:${port}`;
    const server = supervisor.process(name);
    try {
      await waitForFrontend(address, config.temporal.namespace, Date.now() + 30_000, () =>
        server && server.exitCode === null && server.signalCode === null ? undefined : 'exited',
      );
    } catch (err) {
      // Nothing may outlive a failed start: the caller only prints and exits.
      await supervisor.stopAll();
      throw new StartupError(
        `the Temporal dev server ${name} did not start on ${address} (${(err as Error).message}); ` +
          'see its lines above, fix that and start again',
      );
    }
    return address;
  }

  let temporalAddress = config.temporal.address;
  const ownServer = !temporalAddress;
  if (!temporalAddress) {
    // Supervised like every other service: the API answers 503 while it restarts and the workers
    // reconnect by themselves.
    const { devServerPort, uiPort, devServerExtraArgs } = config.temporal;
    temporalAddress = await startDevServer(
      'temporal',
      devServerPort,
      uiPort,
      'temporal.sqlite',
      devServerExtraArgs,
    );
  } else {
    out(
      `${tag('stack')}using the Temporal cluster at ${temporalAddress} (TEMPORAL_ADDRESS or TEMPORAL_CONFIG_FILE); no dev server started`,
    );
  }

  let urgentAddress = config.temporal.urgentAddress;
  if (!urgentAddress && config.stack.ownUrgentServer) {
    // Its own extra arguments: TEMPORAL_DEV_SERVER_ARGS may name ports only one server can hold.
    const { urgentDevServerPort, urgentUiPort, urgentDevServerExtraArgs } = config.temporal;
    urgentAddress = await startDevServer(
      'temporal-urgent',
      urgentDevServerPort,
      urgentUiPort,
      'temporal-urgent.sqlite',
      urgentDevServerExtraArgs,
    );
  }

  const env = childEnv(config, temporalAddress, urgentAddress);
  for (const spec of appServices(config, env)) supervisor.start(spec);

  if (await waitForApi(config, 90_000)) banner(config, temporalAddress, ownServer, urgentAddress);
  else out(`${tag('stack')}!!! the API did not become ready within 90 s; see the lines above`);
}

main().catch(exitOnFailure('floodgate', { oneLine: true, stackTraces: wantsStackTraces() }));
