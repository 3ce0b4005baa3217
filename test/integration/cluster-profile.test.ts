import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { Webhook } from 'standardwebhooks';
import { clusterBinaries } from '../../src/cluster/cluster-binaries.js';
import { cellPorts, sharedCell, urgentCell } from '../../src/cluster/temporal-cells.js';
import { findPostgresBinDir } from '../../src/cluster/postgres.js';
import { schemaVersions, type SchemaTarget } from '../../src/cluster/schema.js';
import { videoWebhookUrl } from '../../src/api/webhooks/video-webhook-url.js';
import { parseUrlTokenKeys } from '../../src/api/webhooks/webhook-url-token.js';
import { clientTlsEnv, clusterTlsFiles } from '../../src/cluster/cluster-tls.js';
import { objectStoreLayout, type ObjectStoreCredentials } from '../../src/cluster/object-store.js';
import { DEV_DEFAULTS, loadConfig } from '../../src/config.js';
import { createS3Client } from '../../src/storage/s3-client.js';
import { temporalBinaries } from '../../src/temporal/binaries.js';
import { connectionOptions } from '../../src/temporal/connection-options.js';
import { stackPorts } from '../support/stack-ports.js';
import { removePostgresHome } from '../../src/cluster/postgres-home.js';
import { stackProcesses } from '../support/stack-processes.js';
import { portsHeldBy, stillListening } from '../support/listening-ports.js';
import { processAlive } from '../support/process-alive.js';
import { processTree } from '../support/process-tree.js';
import { clusterProfileSettings } from '../../src/stack/cluster-stack.js';
import { VideoFleet } from '../../src/workers/autoscaler/video-fleet.js';
import { urgentWorkerName } from '../../src/stack/urgent-workers.js';

/**
 * `npm run start:cluster` as a user runs it, from an empty DATA_DIR: PostgreSQL, the Temporal
 * server on it, the Web UI server and the app services. A password reset reaches the SMTP
 * sink; Ctrl-C leaves no process behind; a second start finds the open job of the first and
 * changes neither the schema nor the namespace. The first start runs in `before` (what it
 * printed is kept for the first test); a test that stopped the stack leaves the next one to
 * start it again, so each test runs alone or in any order.
 */
describe('cluster profile (npm run start:cluster)', function () {
  this.timeout(300_000);
  const root = new URL('../../', import.meta.url).pathname;
  const apiKey = DEV_DEFAULTS.apiKey;
  let dataDir: string;
  let env: Record<string, string>;
  let ports: Record<'api' | 'temporal' | 'ui' | 'postgres' | 'objectStore' | 'provider', number>;
  let schemaTarget: SchemaTarget;
  let firstVersions: Record<string, string | undefined>;
  let firstCerts: string[];
  /** What the first start, from the empty DATA_DIR, printed. */
  let firstOutput: string;
  let stack: ChildProcess | undefined;

  before(async function () {
    this.timeout(300_000);
    dataDir = mkdtempSync(join(tmpdir(), 'floodgate-cluster-'));
    const settings = await stackPorts('cluster');
    const port = (setting: string) => Number(settings[setting]);
    ports = {
      api: port('PORT'),
      temporal: port('TEMPORAL_PORT'),
      ui: port('TEMPORAL_UI_PORT'),
      postgres: port('CLUSTER_POSTGRES_PORT'),
      objectStore: port('CLUSTER_OBJECT_STORE_PORT'),
      provider: port('PROVIDER_SIM_PORT'),
    };
    env = { TEMPORAL_ADDRESS: '', DATA_DIR: dataDir, ...settings, LOG_LEVEL: 'warn' };
    const binaries = clusterBinaries();
    schemaTarget = {
      sqlTool: binaries.sqlTool,
      schemaDir: binaries.schemaDir,
      postgresBinDir: findPostgresBinDir(),
      port: ports.postgres,
    };
    const { output, up } = startStack();
    await up;
    firstOutput = output();
    firstVersions = await schemaVersions(schemaTarget);
    const tls = tlsFiles();
    firstCerts = [tls.caFile, tls.serverCertFile, tls.clientCertFile].map((f) => readFileSync(f, 'utf8'));
  });
  // A test that stopped the stack (Ctrl-C) leaves it to the next test to start it again.
  beforeEach(async function () {
    this.timeout(300_000);
    if (!running()) await startStack().up;
  });
  const running = () => stack !== undefined && stack.exitCode === null && stack.signalCode === null;
  // The stack runs in its own process group, kept from test to test; a failure takes all of it down.
  function killStack(): void {
    if (stack?.pid && running()) {
      try {
        process.kill(-stack.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  afterEach(function () {
    if (this.currentTest?.state === 'failed') killStack();
  });
  after(async function () {
    this.timeout(120_000);
    if (running()) {
      const timer = setTimeout(killStack, 90_000);
      await stopWithCtrlC(stack!);
      clearTimeout(timer);
    }
    killStack();
    removePostgresHome(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  function startStack(): { child: ChildProcess; output: () => string; up: Promise<void> } {
    let output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/stack/start-cluster.ts')], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    stack = child;
    const up = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ctrl-C stops everything.')) resolve();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`stack exited (${code}) before it was up:\n${output}`)));
    });
    return { child, output: () => output, up };
  }

  async function stopWithCtrlC(child: ChildProcess): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    return exited;
  }

  function api(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${apiKey}`);
    return fetch(`http://127.0.0.1:${ports.api}${path}`, { ...init, headers });
  }

  /** The job's run status and workflow state, once its workflow has applied the first event. */
  async function videoJob(videoId: string): Promise<{ runStatus: string; status?: string }> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await api(`/videos/${videoId}`);
      assert.equal(res.status, 200, await res.clone().text());
      const body = (await res.json()) as { runStatus: string; state?: { status: string } };
      if (body.state || Date.now() > deadline)
        return { runStatus: body.runStatus, status: body.state?.status };
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  it('comes up from nothing: database cluster, schema, namespace, Web UI, API', async () => {
    const text = firstOutput;
    assert.match(text, /TLS certificates made \(CA, server, client\)/);
    assert.match(text, /PostgreSQL database cluster created/);
    assert.match(text, /schema temporal: created/);
    assert.match(text, /schema temporal_visibility: created/);
    assert.match(text, /namespace default: registered; search attributes added: VideoStatus, TenantId/);
    assert.match(
      text,
      /object store v1\.8\.0 on http:\/\/127\.0\.0\.1:\d+ .*bucket floodgate-videos created/,
    );
    for (const url of [`http://127.0.0.1:${ports.api}`, `http://127.0.0.1:${ports.ui}`]) {
      assert.ok(text.includes(url), `banner should name ${url}`);
    }
    // The start asks through nginx only once every replica is up: no error lines on a clean start.
    assert.doesNotMatch(text, /no live upstreams|connect\(\) failed/, 'nginx found no replica up');
    assert.equal((await fetch(`http://127.0.0.1:${ports.api}/readyz`)).status, 200);
    const namespaces = (await (await fetch(`http://127.0.0.1:${ports.ui}/api/v1/namespaces`)).json()) as {
      namespaces: Array<{ namespaceInfo: { name: string } }>;
    };
    assert.ok(
      namespaces.namespaces.some((n) => n.namespaceInfo.name === 'default'),
      'the Web UI server reaches the Temporal server and sees the namespace',
    );
    assert.ok(firstVersions.temporal && firstVersions.temporal_visibility, JSON.stringify(firstVersions));
    const tls = tlsFiles();
    for (const key of [tls.serverKeyFile, tls.clientKeyFile, join(tls.dir, 'ca-key.pem')]) {
      assert.equal(statSync(key).mode & 0o777, 0o600, `${key} is readable by its owner only`);
    }
  });

  /** The TLS files start:cluster makes in its DATA_DIR. */
  const tlsFiles = () => clusterTlsFiles(join(dataDir, 'cluster', 'tls'));

  /** A getSystemInfo call over a connection made with `options`: resolves only if the frontend answers. */
  async function call(options: ConnectionOptions): Promise<void> {
    const connection = await Connection.connect({ connectTimeout: 3_000, ...options });
    try {
      await connection.workflowService.getSystemInfo({});
    } finally {
      await connection.close();
    }
  }

  /** Rejects unless the call is refused while the server is listening (not a closed port). */
  async function assertRefused(options: ConnectionOptions, what: string): Promise<void> {
    await assert.rejects(
      call(options),
      (err: Error) => {
        assert.doesNotMatch(err.message, /ECONNREFUSED/, `${what}: the server should be listening`);
        return true;
      },
      `${what} should be refused`,
    );
  }

  it('refuses a client without a certificate; the certificate it made lets one in', async () => {
    const address = `127.0.0.1:${ports.temporal}`;
    const tls = tlsFiles();
    await assertRefused({ address }, 'plaintext');
    const ca = readFileSync(tls.caFile);
    await assertRefused(
      { address, tls: { serverNameOverride: 'localhost', serverRootCACertificate: ca } },
      'TLS that trusts the server but shows no client certificate',
    );
    // The same settings the stack hands its own processes, through the same config code.
    const config = loadConfig({ ...env, ...clientTlsEnv(tls) });
    await call(connectionOptions(config, address));
    // The Temporal CLI takes the same standard variables (docs/deploying.md shows this command).
    const health = execFileSync(
      temporalBinaries().cli,
      ['operator', 'cluster', 'health', '--address', address],
      {
        env: { ...process.env, ...clientTlsEnv(tls) },
        encoding: 'utf8',
      },
    );
    assert.match(health, /SERVING/);
  });

  it("bounds both Temporal servers' workflow cache in bytes, not by count", async () => {
    // Left to the server's default the cache is bounded by count only (128,000 workflows) and
    // grows with every job (docs/faults.md, "Soak results"). Its usage gauge says which bound the
    // server applied: by count it reads the workflows cached (a handful just after the start),
    // by bytes their estimated size, hundreds of bytes each. (Its capacity gauge cannot say: a
    // replication cache reports under the same name.)
    const config = loadConfig(clusterProfileSettings(env));
    const urgent = urgentCell(config);
    assert.ok(urgent, 'the urgent lane has its own server by default');
    for (const cell of [sharedCell(config), urgent]) {
      const url = `http://127.0.0.1:${cellPorts(cell).metrics}/metrics`;
      let usage = 0;
      for (const deadline = Date.now() + 30_000; usage === 0 && Date.now() < deadline;) {
        const text = await (await fetch(url)).text();
        // The server writes large values in exponent form (8.387633e+06).
        usage = Number(
          /^cache_usage\{cache_type="mutablestate",service_name="history"\} (\S+)/m.exec(text)?.[1] ?? 0,
        );
        if (usage === 0) await new Promise((r) => setTimeout(r, 500));
      }
      assert.ok(
        usage >= 256,
        `${cell.service}: cache usage ${usage}, a count of workflows rather than bytes`,
      );
    }
  });

  it('delivers a password reset to the SMTP sink', async () => {
    const tag = randomUUID().slice(0, 8);
    const email = `cluster-${tag}@example.com`;
    const res = await api('/password-resets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: `u-cluster-${tag}`, email }),
    });
    assert.equal(res.status, 202);
    const mailDir = join(dataDir, 'mail');
    const deadline = Date.now() + 60_000;
    let found = false;
    while (!found && Date.now() < deadline) {
      const files = existsSync(mailDir) ? readdirSync(mailDir).filter((f) => f.endsWith('.eml')) : [];
      found = files.some((f) => readFileSync(join(mailDir, f), 'utf8').includes(email));
      if (!found) await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(found, `a mail to ${email} arrived in the sink`);
  });

  it("stores a finished video in the object store's bucket, and GET /videos/:id names the object", async () => {
    const res = await api('/videos', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: 'cluster-s3', plan: 'paid' }),
    });
    assert.equal(res.status, 202, await res.clone().text());
    const { videoId: id } = (await res.json()) as { videoId: string };
    let state: { status?: string; storedPath?: string; storedBytes?: number; providerJobId?: string } = {};
    for (let i = 0; i < 180 && state.status !== 'completed' && state.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 500));
      state = ((await (await api(`/videos/${id}`)).json()) as { state?: typeof state }).state ?? {};
    }
    assert.equal(state.status, 'completed', JSON.stringify(state));
    assert.equal(state.storedPath, `s3://floodgate-videos/videos/${id}.mp4`);

    // The object as the bucket holds it, read with the keys the profile generated under DATA_DIR.
    const layout = objectStoreLayout(loadConfig(env));
    assert.equal(statSync(layout.credentialsFile).mode & 0o777, 0o600, 'keys readable by their owner only');
    const credentials = JSON.parse(readFileSync(layout.credentialsFile, 'utf8')) as ObjectStoreCredentials;
    const s3 = createS3Client({
      ...loadConfig(env).objectStore,
      endpoint: `http://127.0.0.1:${ports.objectStore}`,
      forcePathStyle: true,
      credentials,
    });
    try {
      const object = await s3.send(
        new GetObjectCommand({ Bucket: 'floodgate-videos', Key: `videos/${id}.mp4` }),
      );
      const stored = Buffer.from(await object.Body!.transformToByteArray());
      const original = await fetch(`http://127.0.0.1:${ports.provider}/files/${state.providerJobId}.mp4`);
      const expected = Buffer.from(await original.arrayBuffer());
      const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
      assert.equal(stored.length, state.storedBytes);
      assert.equal(
        digest(stored),
        digest(expected),
        "the stored object is byte-for-byte the provider's file",
      );
    } finally {
      s3.destroy();
    }
    assert.ok(!existsSync(join(dataDir, 'videos')), 'nothing went to the local folder');
  });

  /** Opens a job with a signed webhook, as the provider would, and returns its id. */
  async function openJob(): Promise<string> {
    const videoId = `cluster-open-${randomUUID().slice(0, 8)}`;
    const messageId = `msg_${videoId}`;
    const body = JSON.stringify({ id: `pred-${videoId}`, status: 'processing', output: null, error: null });
    const now = new Date();
    const signature = new Webhook(DEV_DEFAULTS.replicateSecret).sign(messageId, now, body);
    const urlKeys = parseUrlTokenKeys([DEV_DEFAULTS.webhookUrlKey]);
    const res = await fetch(videoWebhookUrl(`http://127.0.0.1:${ports.api}`, urlKeys, videoId, 'acme'), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': messageId,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body,
    });
    assert.equal(res.status, 202);
    assert.deepEqual(await videoJob(videoId), { runStatus: 'RUNNING', status: 'processing' });
    return videoId;
  }

  it('a second start keeps the open job and changes no schema and no namespace', async () => {
    const videoId = await openJob();
    assert.equal(await stopWithCtrlC(stack!), 0);
    const { output, up } = startStack();
    await up;
    const text = output();
    assert.deepEqual(
      await videoJob(videoId),
      { runStatus: 'RUNNING', status: 'processing' },
      'the job opened before the restart is still open',
    );
    assert.match(text, /TLS certificates found/);
    assert.deepEqual(
      [tlsFiles().caFile, tlsFiles().serverCertFile, tlsFiles().clientCertFile].map((f) =>
        readFileSync(f, 'utf8'),
      ),
      firstCerts,
      'the certificates of the first start are reused, not made again',
    );
    assert.match(text, /PostgreSQL database cluster found/);
    assert.match(text, /schema temporal: unchanged/);
    assert.match(text, /schema temporal_visibility: unchanged/);
    assert.match(text, /namespace default: found; search attributes found/);
    assert.match(text, /bucket floodgate-videos found/);
    assert.deepEqual(await schemaVersions(schemaTarget), firstVersions);
  });

  it('Ctrl-C leaves nothing behind: every process the stack started and every port it held', async () => {
    // What runs now: the start:cluster process and everything below it, by parent and by group.
    const tree = processTree(stack!.pid!);
    const pids = new Set(tree.map((p) => p.pid));
    // Each supervised service (the autoscaler's video replicas too) writes DATA_DIR/run/<name>.pid.
    const runDir = join(dataDir, 'run');
    const services = Object.fromEntries(
      readdirSync(runDir)
        .filter((f) => f.endsWith('.pid'))
        .map((f) => [f.slice(0, -'.pid'.length), Number(readFileSync(join(runDir, f), 'utf8'))]),
    );
    const replicas = loadConfig(env).cluster.apiReplicas;
    const urgentWorkers = loadConfig(env).cluster.urgentWorkerReplicas;
    const expected = [
      ...Array.from({ length: replicas }, (_, i) => `api-${i + 1}`),
      'nginx',
      ...Array.from({ length: urgentWorkers }, (_, i) => urgentWorkerName(i + 1)),
      'smtp-sink',
      'provider-sim',
      'autoscaler',
      VideoFleet.replicaName(1),
      'object-store',
      'postgres',
      'temporal',
      'temporal-ui',
    ];
    for (const name of expected) {
      assert.ok(services[name] && pids.has(services[name]), `${name} runs in the stack's tree`);
    }
    for (const [name, pid] of Object.entries(services)) {
      assert.ok(pids.has(pid), `${name} (pid ${pid}) is in the stack's tree`);
    }
    const held = portsHeldBy(pids);
    for (const port of [
      ports.api,
      ports.temporal,
      ports.ui,
      ports.postgres,
      ports.objectStore,
      ports.provider,
    ])
      assert.ok(
        held.includes(`tcp:${port}`),
        `tcp:${port} is among the ports the stack holds: ${held.join(' ')}`,
      );

    assert.equal(await stopWithCtrlC(stack!), 0);
    // Its direct children are reaped before it exits; grandchildren (nginx's workers,
    // PostgreSQL's backends) get a few seconds to follow their parent out.
    const deadline = Date.now() + 10_000;
    let left = tree.filter((p) => processAlive(p.pid));
    while ((left.length > 0 || stillListening(held).length > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      left = tree.filter((p) => processAlive(p.pid));
    }
    assert.deepEqual(
      left.map((p) => `${p.pid} ${p.args}`),
      [],
      `processes of the stack still alive (of ${tree.length})`,
    );
    assert.deepEqual(stillListening(held), [], 'ports the stack held, still listened on');
    assert.deepEqual(stackProcesses(dataDir), [], 'no process names the DATA_DIR');
  });
});
