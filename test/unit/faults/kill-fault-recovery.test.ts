import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLUSTER_PROFILE, killService, type FaultTarget } from '../../../dev/faults/fault-catalog.js';

/**
 * A kill fault counts as recovered only once another process runs in the killed one's place
 * and, for a served page (the Web UI), that page answers 200 again. Real processes and a real
 * HTTP server on loopback stand in for the supervisor's service and the UI.
 */
describe('kill -9 fault: what recovered means', () => {
  const children: ChildProcess[] = [];
  let server: Server;
  let pageStatus = 503;
  let current: ChildProcess;

  const spawnService = () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    children.push(child);
    return child;
  };
  const exited = (child: ChildProcess) =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((r) => child.once('exit', () => r()));

  let target: FaultTarget;
  before(async () => {
    server = createServer((_req, res) => res.writeHead(pageStatus).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    target = {
      pid: (name) => (name === 'temporal-ui' ? current?.pid : undefined),
      setProviderChaos: async () => undefined,
      uiUrl: `http://127.0.0.1:${port}`,
    };
  });
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await new Promise((r) => server.close(r));
  });

  it('the Web UI fault waits for a new process and a served page', async () => {
    const fault = CLUSTER_PROFILE.faults.find((f) => f.name === 'kill -9 Web UI server')!;
    current = spawnService();
    const killed = current;
    await fault.inject(target, 0);
    await exited(killed);
    assert.equal(killed.signalCode, 'SIGKILL', 'the process was killed with SIGKILL');
    pageStatus = 200; // only the process on record can hold recovery back here
    assert.equal(await fault.recovered!(target), false, 'the killed process is still the one on record');

    current = spawnService();
    pageStatus = 503;
    assert.equal(await fault.recovered!(target), false, 'a new process, but the page does not load yet');
    pageStatus = 200;
    assert.equal(await fault.recovered!(target), true);
  });

  it('a kill fault without a page recovers on a new process alone, not on none', async () => {
    const fault = killService('temporal-ui', 'a service');
    current = spawnService();
    await fault.inject(target, 0);
    const gone = { ...target, pid: () => undefined };
    assert.equal(await fault.recovered!(gone), false, 'nothing runs in its place');
    pageStatus = 503;
    current = spawnService();
    assert.equal(await fault.recovered!(target), true, 'no page to check');
  });
});
