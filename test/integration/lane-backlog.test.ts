import assert from 'node:assert/strict';
import { Client, Connection } from '@temporalio/client';
import { readLaneBacklog } from '../../src/workers/autoscaler/lane-backlog.js';
import { desiredReplicas } from '../../src/workers/autoscaler/scaling-policy.js';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server.js';
import { freePort } from '../support/free-port.js';

describe('autoscaler backlog signal (dev server)', function () {
  this.timeout(90_000);
  let server: DevServer;
  let connection: Connection;
  let client: Client;

  before(async () => {
    server = await startDevServer({ port: await freePort(), onLog: () => undefined });
    connection = await Connection.connect({ address: server.address });
    client = new Client({ connection });
  });
  after(async () => {
    await connection?.close();
    await server?.stop();
  });

  it('sees work queued with no worker polling, and asks for more replicas', async () => {
    const taskQueue = 'backlog-probe';
    for (let i = 0; i < 30; i++) {
      await client.workflow.start('neverPolled', { taskQueue, workflowId: `backlog-${i}` });
    }
    // Stats are approximate and refreshed by the server: poll briefly until they show up.
    let backlog = await readLaneBacklog(client, 'default', taskQueue);
    for (let i = 0; i < 40 && backlog.backlogCount < 30; i++) {
      await new Promise((r) => setTimeout(r, 250));
      backlog = await readLaneBacklog(client, 'default', taskQueue);
    }
    assert.equal(backlog.backlogCount, 30);
    const decision = desiredReplicas(1, backlog, {
      minReplicas: 1,
      maxReplicas: 10,
      backlogPerReplica: 10,
      maxBacklogAgeSeconds: 60,
    });
    assert.equal(decision.replicas, 3);
  });
});
