import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { processAlive } from '../../support/process-alive.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The liveness check the autoscaler tests rely on to say a replica was stopped. */
describe('processAlive', () => {
  it('is true for a running process and false for one that exited but was never reaped', async () => {
    // `sh` starts a short sleep in the background, then becomes a long sleep that never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0.1 & exec sleep 5'], { stdio: 'ignore' });
    try {
      let zombie: number | undefined;
      for (let i = 0; i < 50 && zombie === undefined; i++) {
        await sleep(100);
        const children = execFileSync('ps', ['-o', 'pid=,stat=', '--ppid', String(parent.pid)], {
          encoding: 'utf8',
        });
        const line = children.split('\n').find((l) => /\sZ/.test(l));
        if (line) zombie = Number(line.trim().split(/\s+/)[0]);
      }
      assert.ok(zombie, 'the background sleep became a zombie');
      assert.equal(processAlive(zombie), false, `zombie ${zombie}`);
      assert.equal(processAlive(parent.pid!), true, 'its running parent');
    } finally {
      parent.kill();
    }
  });
});
