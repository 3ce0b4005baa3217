import assert from 'node:assert/strict';
import { Supervisor, type RestartBackoff } from '../../../src/stack/supervisor.js';

/**
 * A real child process that dies as soon as it starts, under the real supervisor: each restart
 * comes after a delay that doubles up to the cap, the supervisor never gives up, and a service
 * that stayed up long enough counts as healthy again. Delays are measured from the crash the
 * supervisor saw to the next start it made.
 */
describe('Supervisor restart backoff', () => {
  const supervisors: Supervisor[] = [];
  after(() => Promise.all(supervisors.map((s) => s.stopAll(2_000))));

  /** Runs `sh -c script` until it has been restarted `restarts` times; returns the delays before each restart. */
  async function restartDelays(script: string, backoff: RestartBackoff, restarts: number): Promise<number[]> {
    const crashedAt: number[] = [];
    const startedAt: number[] = [];
    let enough: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (enough = resolve));
    const supervisor = new Supervisor({
      restart: true,
      backoff,
      print: () => undefined,
      onFatal: (reason) => assert.fail(reason),
      onCrash: () => crashedAt.push(Date.now()),
      onStart: () => {
        startedAt.push(Date.now());
        if (startedAt.length > restarts) enough();
      },
    });
    supervisors.push(supervisor);
    supervisor.start({ name: 'dies', command: 'sh', args: ['-c', script] });
    const deadline = setTimeout(enough, 20_000);
    await done;
    clearTimeout(deadline);
    await supervisor.stopAll(2_000);
    assert.ok(startedAt.length > restarts, `only ${startedAt.length - 1} of ${restarts} restarts came`);
    return startedAt.slice(1, restarts + 1).map((at, i) => at - crashedAt[i]!);
  }

  it('restarts a child that keeps dying after doubling delays, capped, without giving up', async function () {
    this.timeout(30_000);
    const delays = await restartDelays('exit 3', { firstMs: 100, maxMs: 400, healthyAfterMs: 60_000 }, 7);
    const expected = [100, 200, 400, 400, 400, 400, 400];
    for (const [i, delay] of delays.entries()) {
      // A timer never fires early; on a busy machine it may fire late, but not a doubling late.
      assert.ok(
        delay >= expected[i]! - 5 && delay < expected[i]! * 1.5 + 100,
        `restart ${i + 1} came after ${delay} ms, expected ${expected[i]} (all: ${delays.join(', ')})`,
      );
    }
  });

  it('starts again from the first delay when the child had stayed up long enough', async function () {
    this.timeout(30_000);
    // Each run lives 300 ms, longer than healthyAfterMs: every crash is a first crash.
    const delays = await restartDelays(
      'sleep 0.3; exit 3',
      { firstMs: 100, maxMs: 2_000, healthyAfterMs: 200 },
      4,
    );
    for (const [i, delay] of delays.entries()) {
      assert.ok(
        delay >= 95 && delay < 250,
        `restart ${i + 1} came after ${delay} ms (all: ${delays.join(', ')})`,
      );
    }
  });
});
