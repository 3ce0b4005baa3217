import assert from 'node:assert/strict';
import type { FaultResult } from '../../../dev/faults/run-fault.js';
import { formatRunsTable } from '../../../dev/faults/runs-table.js';

function result(
  fault: string,
  over: { ok?: boolean; recoveryMs?: number | null; refused?: number } = {},
): FaultResult {
  const refused = over.refused ?? 0;
  return {
    fault,
    what: `${fault}, as done`,
    seen: {
      webhookAttempts: 3000 + refused,
      webhookFailures: (refused ? { '503': refused } : {}) as Record<string, number>,
      webhookGaveUp: 0,
      stormCalls: { calls: 1000, retries: 0, gaveUp: 0, failedByStatus: {} },
      resets: 120,
      resetFailures: {},
      resetDelayMs: { count: 120, p50: 300, p95: 900, p99: 1200, max: 4000 },
    },
    jobs: { created: 1000, completed: 1000, failed: 0, recoveredAfterGiveUp: 0, oneFileEach: true },
    lost: { jobs: 0, resets: 0, lostJobIds: [] },
    recoveryMs: over.recoveryMs === undefined ? 10_000 : over.recoveryMs,
    ok: over.ok ?? true,
  };
}

const rowOf = (table: string, fault: string) =>
  table
    .split('\n')
    .find((line) => line.startsWith(`| ${fault} `))
    ?.split('|')
    .map((cell) => cell.trim())
    .slice(1, -1);

/** The full fault table is read across runs: each fault's passes, spreads and recovery. */
describe('fault runs table', () => {
  it('gives each fault its passes, the median (min–max) of what senders saw, and recovery', () => {
    const table = formatRunsTable([
      [result('kill -9 PostgreSQL', { recoveryMs: 20_000, refused: 40 }), result('SMTP sink down')],
      [result('kill -9 PostgreSQL', { recoveryMs: 30_000, refused: 10 }), result('SMTP sink down')],
      [result('kill -9 PostgreSQL', { recoveryMs: 25_000, refused: 70 }), result('SMTP sink down')],
    ]);
    assert.deepEqual(rowOf(table, 'kill -9 PostgreSQL'), [
      'kill -9 PostgreSQL',
      '3 of 3',
      '40 (10–70) of 3040: 503',
      '0 (0–0): —',
      '0 (0–0): —',
      '300 (300–300) ms · 4.0 s',
      '0, 0',
      '25.0 (20.0–30.0)',
    ]);
  });

  it('counts a failed run, a missing fault and a recovery that never came against the fault', () => {
    const table = formatRunsTable([
      [result('kill -9 nginx'), result('provider 5xx', { ok: false, recoveryMs: null })],
      [result('kill -9 nginx')],
    ]);
    const row = rowOf(table, 'provider 5xx')!;
    assert.equal(row[1], '0 of 2');
    assert.equal(row[7], 'never ×1');
    assert.equal(rowOf(table, 'kill -9 nginx')![1], '2 of 2');
  });
});
