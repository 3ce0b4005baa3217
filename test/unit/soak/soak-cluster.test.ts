import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readProcessTable } from '../../../bench/machine-load.js';
import { parseDatabaseSizes } from '../../../dev/soak/cluster-storage.js';
import { processGroup, sumGroup } from '../../../dev/soak/process-group.js';
import { crashesIn, pidChanges, replicaCounts } from '../../../dev/soak/replica-series.js';
import { soakReport, type SoakSample } from '../../../dev/soak/soak-report.js';
import { sampleStackProcesses } from '../../../dev/soak/stack-processes.js';

const MB = 1024 * 1024;
const limits = { maxRssGrowthPercent: 10, maxFdGrowth: 20 };

/** 20 samples 10 s apart; `at(i)` gives each service's process (or none) in sample i. */
function series(at: (i: number) => SoakSample['processes']): SoakSample[] {
  return Array.from({ length: 20 }, (_, i) => ({ atMs: i * 10_000, processes: at(i), storageBytes: 0 }));
}
const proc = (pid: number, rssMb = 100, fds = 30) => ({ pid, rssBytes: rssMb * MB, fds });

describe('soak on the cluster profile', () => {
  it('sums a process group (a postmaster and its backends) and not its neighbours', () => {
    const table = new Map([
      [10, { parent: 1 }], // postmaster
      [11, { parent: 10 }],
      [12, { parent: 10 }],
      [13, { parent: 12 }],
      [20, { parent: 1 }], // another service
    ]);
    assert.deepEqual(processGroup(table, 10).sort(), [10, 11, 12, 13]);
    const row = sumGroup(10, [proc(10, 30, 10), proc(11, 5, 8), undefined, proc(13, 5, 8)]);
    assert.deepEqual(row, { pid: 10, rssBytes: 40 * MB, fds: 26, processes: 3 });
    assert.equal(sumGroup(10, [proc(11)]), undefined, 'no root, no row');
  });

  it('finds a live process group in /proc from a PID file', async () => {
    const run = mkdtempSync(join(tmpdir(), 'soak-run-'));
    const child: ChildProcess = spawn('sh', ['-c', 'sleep 30 & sleep 30 & wait'], { stdio: 'ignore' });
    try {
      writeFileSync(join(run, 'postgres.pid'), `${child.pid}\n`);
      writeFileSync(join(run, 'api-1.pid'), `${process.pid}\n`);
      // The shell forks its two sleeps right away; wait (bounded) until both are in /proc.
      for (let i = 0; i < 50 && processGroup(readProcessTable(), child.pid!).length < 3; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const rows = sampleStackProcesses(run);
      assert.equal(rows.postgres?.processes, 3, JSON.stringify(rows.postgres));
      assert.equal(rows.postgres?.pid, child.pid);
      assert.equal(rows['api-1']?.pid, process.pid);
      assert.equal(rows['api-1']?.processes, undefined, 'an ordinary service is one process');
    } finally {
      child.kill('SIGKILL');
      rmSync(run, { recursive: true, force: true });
    }
  });

  it('counts a replica stopped and started again by the autoscaler as a return, not a restart', () => {
    // worker-video-2 from pid 7: present, gone (scaled down), back as pid 8 (scaled up).
    assert.deepEqual(pidChanges([7, 7, undefined, undefined, 8, 8], true), { restarts: 0, returns: 1 });
    // A new PID without a gap is a crash the supervisor restarted, replica or not.
    assert.deepEqual(pidChanges([7, 7, 8, 8], true), { restarts: 1, returns: 0 });
    assert.deepEqual(pidChanges([7, undefined, 8], false), { restarts: 1, returns: 0 });
    assert.deepEqual(
      replicaCounts([
        { processes: { 'worker-video-1': 1, api: 1 } },
        { processes: { 'worker-video-1': 1, 'worker-video-2': 2 } },
        { processes: { 'worker-video-1': 1, 'worker-video-2': undefined } },
      ]),
      { counts: [1, 2, 1], changes: 2 },
    );
    // What tells a late-restarted crash from the autoscaler's stop: the supervisor's line.
    assert.deepEqual(
      crashesIn(
        '[autoscaler]    [worker-video-2] !!! worker-video-2 exited unexpectedly (SIGKILL)\n' +
          '[autoscaler]    [worker-video-2] !!! restarting worker-video-2 in 250 ms\n',
      ),
      { 'worker-video-2': 1 },
    );
  });

  it('judges the stable replica, reports the one that came and went, and breaches on neither', () => {
    const report = soakReport(
      series((i) => ({
        'worker-video-1': proc(50),
        // Started twice by the autoscaler (two processes): its growth is no one process's.
        'worker-video-2': i >= 8 && i < 12 ? proc(68, 100) : i >= 15 ? proc(70, 200) : undefined,
        api: proc(40),
      })),
      60_000,
      limits,
    );
    assert.deepEqual(report.breaches, []);
    const byName = Object.fromEntries(report.processes.map((p) => [p.service, p]));
    assert.equal(byName['worker-video-1']!.judged, true);
    assert.equal(byName['worker-video-2']!.judged, false);
    assert.equal(byName['worker-video-2']!.rssGrowthPercent, 100);
    assert.deepEqual([byName['worker-video-2']!.restarts, byName['worker-video-2']!.returns], [0, 1]);
    assert.deepEqual(report.replicas, { start: 1, end: 2, min: 1, max: 2, changes: 3 });
  });

  it('still breaches on a restart of an ordinary service and on a stable replica that grows', () => {
    const report = soakReport(
      series((i) => ({ 'worker-video-1': proc(50, 100 + i * 5), 'api-1': proc(i < 10 ? 40 : 41) })),
      60_000,
      limits,
    );
    assert.match(report.breaches.join('\n'), /worker-video-1: RSS grew/);
    assert.match(report.breaches.join('\n'), /api-1: restarted 1/);
  });

  it('judges the descriptors of a group per process and leaves its shared memory out of RSS', () => {
    const report = soakReport(
      series((i) => ({
        // Two more backends at the end (a client pool grew): 60 more descriptors in all, 30 each.
        postgres: {
          ...proc(10, 100, i < 10 ? 300 : 360),
          processes: i < 10 ? 10 : 12,
          sharedBytes: (20 + i) * MB,
        },
      })),
      60_000,
      limits,
    );
    assert.deepEqual(report.breaches, []);
    const row = report.processes[0]!;
    assert.deepEqual(
      [row.processesStart, row.processesEnd, row.sharedStartMb, row.sharedEndMb],
      [10, 12, 27, 38],
    );
    const leaking = soakReport(
      series((i) => ({ postgres: { ...proc(10, 100, 300 + i * 30), processes: 10 } })),
      60_000,
      limits,
    );
    assert.match(leaking.breaches.join(), /postgres: open descriptors .* per process/);
  });

  it('reads psql database sizes and reports each storage part per hour', () => {
    assert.deepEqual(parseDatabaseSizes('temporal|1000\ntemporal_urgent|20\n\nbad line\n'), {
      temporal: 1000,
      temporal_urgent: 20,
    });
    const samples = series(() => ({})).map((s, i) => ({
      ...s,
      storage: { 'db temporal': (10 + i) * MB, DATA_DIR: 50 * MB },
    }));
    const parts = Object.fromEntries(
      soakReport(samples, 60_000, limits).storageParts.map((p) => [p.part, p]),
    );
    assert.equal(parts['db temporal']!.mbPerHour, 360); // 1 MB per 10 s
    assert.equal(parts.DATA_DIR!.mbPerHour, 0);
  });
});
