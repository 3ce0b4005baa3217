import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile, summarize } from '../../../dev/provider/latency-recorder.js';
import { parseDuration, parseRate, parseStormArgs } from '../../../dev/storm/args.js';
import { driveAtRate } from '../../../dev/storm/rate-driver.js';
import { checkStoredFiles } from '../../../dev/storm/storage-check.js';

const DEFAULTS = {
  webhooksPerSecond: 25,
  durationMs: 60_000,
  mode: 'mixed' as const,
  apiUrl: 'http://127.0.0.1:3000',
  providerUrl: 'http://127.0.0.1:4010',
  apiKey: 'k',
  temporalAddress: '127.0.0.1:7233',
  timeoutMs: 300_000,
  burstMs: 1_000,
};

describe('storm: argument parsing, percentiles, rate driver, storage check', () => {
  it('parses rates and durations in the units the docs use', () => {
    assert.equal(parseRate('1500/min'), 25);
    assert.equal(parseRate('10/s'), 10);
    assert.equal(parseDuration('60s', '--duration'), 60_000);
    assert.equal(parseDuration('5m', '--timeout'), 300_000);
    assert.equal(parseDuration('250ms', '--burst'), 250);
    assert.throws(() => parseRate('fast'), /--rate/);
  });

  it('maps the chaos flags onto provider knobs', () => {
    const args = parseStormArgs(
      ['--drop', '10', '--duplicate=20', '--reorder', '--error', '5', '--mode', 'adopt', '--jobs', '500'],
      DEFAULTS,
    );
    assert.deepEqual(args.chaos, {
      dropPercent: 10,
      duplicatePercent: 20,
      reorder: true,
      statusErrorPercent: 5,
      fileErrorPercent: 5,
    });
    assert.equal(args.mode, 'adopt');
    assert.equal(args.jobs, 500);
    assert.throws(() => parseStormArgs(['--drop', '101'], DEFAULTS), /percentage/);
    assert.throws(() => parseStormArgs(['--bogus'], DEFAULTS), /unknown option/);
  });

  it('computes nearest-rank percentiles', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(samples, 50), 50);
    assert.equal(percentile(samples, 99), 99);
    assert.deepEqual(summarize([5, 1, 3]), { count: 3, p50: 3, p95: 5, p99: 5, max: 5 });
    assert.equal(summarize([]).p99, 0);
  });

  it('creates exactly the total, in bursts paced by the window', async () => {
    const bursts: number[] = [];
    const started = performance.now();
    await driveAtRate({
      total: 10,
      perSecond: 100,
      burstMs: 30,
      createBurst: async (n) => void bursts.push(n),
    });
    assert.equal(
      bursts.reduce((a, b) => a + b, 0),
      10,
    );
    assert.deepEqual(bursts, [3, 3, 3, 1]);
    assert.ok(performance.now() - started >= 85, 'three waits of one window each');
  });

  it('finds exactly one stored file per completed job, and names the missing and doubled ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'storm-storage-'));
    try {
      mkdirSync(join(dir, 'acme'));
      writeFileSync(join(dir, 'acme', 'one.mp4'), 'x');
      writeFileSync(join(dir, 'two.mp4'), 'x');
      writeFileSync(join(dir, 'two.mp4.tmp-123'), 'x');
      const check = await checkStoredFiles(dir, ['one', 'two', 'three']);
      assert.equal(check.exactlyOne, 1);
      assert.deepEqual(check.missing, ['three']);
      assert.deepEqual(check.multiple, ['two']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
