import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inProcessProvider } from '../../dev/storm/provider-control.js';
import { runStorm } from '../../dev/storm/run-storm.js';
import { formatSummary, type StormSummary } from '../../dev/storm/summary.js';
import { loadConfig } from '../../src/config.js';
import type { DecisionRecord } from '../../src/workers/autoscaler/decision-line.js';
import {
  startVideoAutoscaler,
  type RunningVideoAutoscaler,
} from '../../src/workers/autoscaler/video-autoscaler.js';
import { VideoFleet } from '../../src/workers/autoscaler/video-fleet.js';
import { readLaneBacklog } from '../../src/workers/autoscaler/lane-backlog.js';
import { TASK_QUEUES } from '../../src/shared/task-queues.js';
import { freePort } from '../support/free-port.js';
import { processAlive } from '../support/process-alive.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const JOBS = 40;
const MAX = 3;
const BACKLOG_PER_REPLICA = 4;

/**
 * The autoscaler acting on a real stack: video worker processes with two activity slots each
 * and slow downloads from the simulated provider, so a burst of jobs started through the API
 * leaves a backlog. The autoscaler must start more real worker processes, then stop them
 * again once the backlog drains, and every job must finish.
 */
describe('autoscaler: a burst scales the video lane out and back in', function () {
  this.timeout(300_000);
  let stack: TestStack;
  let scaler: RunningVideoAutoscaler | undefined;
  const decisions: DecisionRecord[] = [];
  const lines: string[] = [];
  /** Every replica process seen alive while sampling, by PID, with the replica's name. */
  const seen = new Map<number, string>();
  let mostAlive = 0;
  let pidFilesMatched = 0;
  let summary: StormSummary;
  let metricsUrl: string;
  /** The lane's backlog when the autoscaler started. */
  let queued = 0;

  before(async function () {
    this.timeout(240_000);
    stack = await startTestStack({
      lanes: ['urgent'],
      env: {
        LOG_LEVEL: 'warn',
        VIDEO_ACTIVITY_SLOTS: '2',
        VIDEO_WORKER_SHUTDOWN_GRACE: '10s',
        AUTOSCALE_MIN_REPLICAS: '1',
        AUTOSCALE_MAX_REPLICAS: String(MAX),
        AUTOSCALE_INTERVAL: '1s',
        AUTOSCALE_BACKLOG_PER_REPLICA: String(BACKLOG_PER_REPLICA),
        AUTOSCALE_MAX_BACKLOG_AGE: '60s',
        // Longer than the lull between the submits draining and the downloads queueing (~5 s
        // seen), so the lane stays out until the downloads are done instead of flapping.
        AUTOSCALE_COOLDOWN: '15s',
        AUTOSCALE_METRICS_PORT: String(await freePort()),
        // The backlog alone decides here; the CPU ceiling, which this test's own servers on two
        // cores could trip, has a test of its own (autoscaler-cpu-ceiling).
        AUTOSCALE_CPU_CEILING: 'off',
      },
    });
    const config = loadConfig(stack.env);
    // Downloads of 64 KiB at 16 KiB/s: about 4 s each, two at a time per replica. The burst is
    // queued before the lane has a worker, so the autoscaler's first read after its minimum
    // replica (still starting) sees a backlog that asks for more than one replica more.
    const storming = runStorm({
      mode: 'submit',
      jobs: JOBS,
      jobsPerSecond: JOBS,
      burstMs: 1_000,
      chaos: { fileBytesPerSecond: 16 * 1024 },
      apiUrl: stack.apiUrl,
      apiKey: stack.apiKey,
      provider: inProcessProvider(stack.provider!),
      client: stack.client,
      timeoutMs: 180_000,
      storageDir: stack.config.storageDir,
    });
    storming.catch(() => undefined); // awaited below; this only keeps an early failure handled
    for (let i = 0; i < 240 && queued < BACKLOG_PER_REPLICA * MAX; i++) {
      queued = (await readLaneBacklog(stack.client, config.temporal.namespace, TASK_QUEUES.video))
        .backlogCount;
      if (queued < BACKLOG_PER_REPLICA * MAX) await new Promise((r) => setTimeout(r, 250));
    }
    scaler = await startVideoAutoscaler(config, {
      env: stack.env,
      print: (line) => {
        lines.push(line);
        if (!line.startsWith('[') && !/\((steady|at max|cooling down)/.test(line))
          console.log(`      ${line}`);
      },
      onDecision: (d) => decisions.push(d),
    });
    metricsUrl = scaler.metricsUrl;
    const running = scaler;

    // Samples the replicas' real processes while the burst runs.
    const sampler = setInterval(() => {
      let count = 0;
      for (const [name, pid] of Object.entries(running.fleet.pids())) {
        if (pid === undefined || !processAlive(pid)) continue;
        count += 1;
        seen.set(pid, name);
        const pidFile = join(config.dataDir, 'run', `${name}.pid`);
        if (existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8')) === pid) pidFilesMatched += 1;
      }
      mostAlive = Math.max(mostAlive, count);
    }, 250);
    try {
      summary = await storming;
      console.log(`${formatSummary(summary)}\n`);
      // Back to the minimum: cool-down, then one replica per decision, each drained first.
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline && running.autoscaler.currentReplicas > 1) {
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      clearInterval(sampler);
    }
  });
  after(async function () {
    this.timeout(60_000);
    await scaler?.stop();
    await stack?.stop();
  });

  it('loses no job of the burst', () => {
    assert.equal(summary.jobs.created, JOBS);
    assert.equal(summary.outcomes.lost, 0, `lost: ${summary.lostIds.join(', ')}`);
    assert.equal(summary.outcomes.completed, JOBS);
    assert.equal(summary.storage?.exactlyOne, JOBS, 'one stored file per job');
  });

  it('decided to scale out on the backlog, up to the maximum', () => {
    const ups = decisions.filter((d) => d.direction === 'up');
    assert.ok(ups.length >= 1, 'at least one scale-out decision');
    assert.ok(
      ups.every((d) => d.backlog.backlogCount > 0 && /scale up/.test(d.reason)),
      'scaled out only on a backlog',
    );
    assert.equal(Math.max(...decisions.map((d) => d.to)), MAX);
    // Out follows the backlog's size at once, not a replica per step: each step out on the count
    // goes straight to what that count asks for (how big the backlog was at each read is timing).
    const byCount = ups.filter((d) => /^scale up: backlog \d+$/.test(d.reason));
    assert.ok(byCount.length >= 1, 'the burst scaled the lane out on its size, not only its age');
    assert.ok(queued >= BACKLOG_PER_REPLICA * MAX, `the burst was queued first: backlog ${queued}`);
    // Its first read saw the whole burst: from the minimum straight to the maximum.
    assert.deepEqual([byCount[0]!.from, byCount[0]!.to], [1, MAX], byCount[0]!.reason);
    for (const d of byCount) {
      const wanted = Math.min(MAX, Math.ceil(d.backlog.backlogCount / BACKLOG_PER_REPLICA));
      assert.equal(d.to, wanted, `backlog ${d.backlog.backlogCount}: ${d.from} → ${d.to}`);
    }
  });

  it('really ran that many worker processes, each with its PID file', () => {
    assert.equal(mostAlive, MAX, `at most ${mostAlive} replica processes were alive at once`);
    const names = new Set(seen.values());
    for (let i = 1; i <= MAX; i++) assert.ok(names.has(VideoFleet.replicaName(i)), `replica ${i} ran`);
    assert.ok(pidFilesMatched > 0, 'PID files name the running replicas');
  });

  it('scaled back in to the minimum once the backlog drained, stopping the newest replicas', () => {
    const downs = decisions.filter((d) => d.direction === 'down');
    // A late task on a busy machine may scale out again between two steps in, so the count of
    // steps is not fixed; each step is one replica, taken only on an empty backlog.
    assert.ok(downs.length >= MAX - 1, `${downs.length} scale-in steps from ${MAX}`);
    assert.deepEqual(
      downs.filter((d) => d.to !== d.from - 1),
      [],
      'one replica at a time',
    );
    assert.ok(downs.every((d) => d.backlog.backlogCount === 0 && /backlog empty/.test(d.reason)));
    assert.equal(scaler!.autoscaler.currentReplicas, 1);
    const pids = scaler!.fleet.pids();
    assert.deepEqual(Object.keys(pids), [VideoFleet.replicaName(1)]);
    for (const [pid, name] of seen) {
      if (name === VideoFleet.replicaName(1)) continue;
      assert.equal(processAlive(pid), false, `${name} (pid ${pid}) was stopped`);
    }
  });

  it('exports the replica counts, backlog and decisions on its metrics endpoint', async () => {
    const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) })).text();
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.split(' ')[1]);
    };
    assert.equal(value('floodgate_autoscaler_replicas{task_queue="video"}'), 1);
    assert.equal(value('floodgate_autoscaler_desired_replicas{task_queue="video"}'), 1);
    assert.equal(value('floodgate_autoscaler_backlog_tasks{task_queue="video"}'), 0);
    assert.ok((value('floodgate_autoscaler_decisions_total{task_queue="video",direction="up"}') ?? 0) >= 1);
    // A busy machine can make a late task scale out again between two steps in: at least MAX - 1.
    assert.ok(
      (value('floodgate_autoscaler_decisions_total{task_queue="video",direction="down"}') ?? 0) >= MAX - 1,
    );
  });
});
