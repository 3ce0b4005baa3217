import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const dir = new URL('../../monitoring/prometheus/', import.meta.url).pathname;

async function promtool(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd: dir });
    return stdout + stderr;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === 'ENOENT')
      throw new Error(
        "promtool not found: run scripts/ensure-system-tools.sh (as root) or install Debian's prometheus",
      );
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/**
 * The alerting rules, checked and unit-tested by Prometheus's own promtool: each alert fires on
 * the series that should raise it and stays quiet on a healthy neighbour
 * (monitoring/prometheus/floodgate-alerts.test.yml). That the metrics they name are the ones the
 * stack exports is checked against a running stack in test/integration/monitoring-metrics.test.ts.
 */
describe('alerting rules (promtool)', function () {
  this.timeout(60_000);

  it('are valid rules', async () => {
    assert.match(await promtool('check', 'rules', 'floodgate-alerts.yml'), /SUCCESS: 10 rules found/);
  });

  it('fire, and stay quiet, as their unit tests say', async () => {
    assert.match(await promtool('test', 'rules', 'floodgate-alerts.test.yml'), /SUCCESS/);
  });
});
