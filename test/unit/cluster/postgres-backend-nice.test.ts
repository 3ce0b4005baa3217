import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { databaseOfTitle, niceBackends } from '../../../src/cluster/postgres-backend-nice.js';
import { childPids, processTitle } from '../../../src/stack/process-table.js';
import { nicenessOf } from '../../support/process-niceness.js';

/**
 * The video lane's PostgreSQL backends found by their process titles and given its niceness,
 * the urgent server's left alone. A shell stands in for the postmaster: its children carry the
 * titles PostgreSQL gives its backends (`exec -a`), and their niceness is read back from /proc.
 */
describe('PostgreSQL backend niceness', () => {
  let postmaster: ChildProcess | undefined;
  afterEach(() => {
    if (postmaster?.pid) process.kill(-postmaster.pid, 'SIGKILL');
    postmaster = undefined;
  });

  it('reads the database from a backend title, and nothing from other processes', () => {
    assert.equal(
      databaseOfTitle('postgres: temporal temporal_visibility 127.0.0.1(41234) idle'),
      'temporal_visibility',
    );
    assert.equal(databaseOfTitle('postgres: temporal temporal 127.0.0.1(41234) SELECT'), 'temporal');
    assert.equal(databaseOfTitle('postgres: temporal temporal [local] idle'), 'temporal');
    assert.equal(databaseOfTitle('postgres: checkpointer '), undefined);
    assert.equal(databaseOfTitle('postgres: autovacuum launcher '), undefined);
    assert.equal(databaseOfTitle('/usr/lib/postgresql/15/bin/postgres -D /data'), undefined);
  });

  it("renices the named databases' backends and leaves the others", async () => {
    const titles = {
      video: 'postgres: temporal temporal 127.0.0.1(40001) idle',
      visibility: 'postgres: temporal temporal_visibility 127.0.0.1(40002) idle',
      urgent: 'postgres: temporal temporal_urgent 127.0.0.1(40003) idle',
      checkpointer: 'postgres: checkpointer',
    };
    const script = Object.values(titles)
      .map((t) => `exec -a '${t}' sleep 30 &`)
      .join('\n');
    postmaster = spawn('bash', ['-c', `${script}\nwait`], { detached: true, stdio: 'ignore' });
    const pid = postmaster.pid!;
    const children = await waitForChildren(pid, 4);
    // Each title is followed by sleep's own argument.
    const byTitle = new Map(children.map((c) => [(processTitle(c) ?? '').replace(/ 30$/, ''), c]));

    // Relative to the stand-in's own niceness: the test may itself run niced.
    const base = nicenessOf(pid);
    const nice = Math.min(base + 5, 19);
    const sweeps = niceBackends({
      postmasterPid: () => pid,
      databases: ['temporal', 'temporal_visibility'],
      nice,
      warn: (line) => assert.fail(line),
    });
    sweeps.stop();

    const niceOf = (title: string) =>
      nicenessOf(byTitle.get(title) ?? assert.fail(`no child titled ${title}`));
    assert.equal(niceOf(titles.video), nice);
    assert.equal(niceOf(titles.visibility), nice);
    assert.equal(niceOf(titles.urgent), base, "the urgent server's backend keeps its priority");
    assert.equal(niceOf(titles.checkpointer), base);
  });
});

async function waitForChildren(pid: number, count: number): Promise<number[]> {
  for (let i = 0; i < 100; i++) {
    const list = childPids(pid);
    if (list.length >= count) return list;
    await new Promise((r) => setTimeout(r, 20));
  }
  return assert.fail(`the stand-in postmaster did not start ${count} children`);
}
