import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { watchMailFolder, type MailFolderWatch } from '../../bench/mail-folder-watch.js';
import { loadConfig } from '../../src/config.js';
import { requestResetSignal } from '../../src/shared/password-reset.js';
import { connectClient } from '../../src/temporal/client.js';
import { startDevProfile, type DevProfile } from '../support/dev-profile.js';
import { freePort, freePortRange } from '../support/free-port.js';
import { parseExposition, selectorsOf, unmatched, type Sample } from '../support/prometheus-exposition.js';

const monitoring = new URL('../../monitoring/', import.meta.url).pathname;

interface RuleFile {
  groups: { rules: { alert: string; expr: string }[] }[];
}
interface Dashboard {
  panels: { title: string; targets: { expr: string }[] }[];
}

/** Each alert's and each dashboard query's expression, named for messages. */
function monitoringExpressions(): { where: string; expr: string }[] {
  const rules = load(readFileSync(`${monitoring}prometheus/floodgate-alerts.yml`, 'utf8')) as RuleFile;
  const dashboard = JSON.parse(
    readFileSync(`${monitoring}grafana/floodgate-dashboard.json`, 'utf8'),
  ) as Dashboard;
  return [
    ...rules.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }))),
    ...dashboard.panels.flatMap((p) => p.targets.map((t) => ({ where: `panel "${p.title}"`, expr: t.expr }))),
  ];
}

/**
 * The alerts and the dashboard name only metrics, and label values, that a running stack really
 * exports: `npm start` with the video autoscaler on, after a video job and a password reset, is
 * scraped on every metrics endpoint (API, both lanes' workers, the autoscaler).
 */
describe('monitoring: alerts and dashboard query what the stack exports', function () {
  this.timeout(240_000);
  let stack: DevProfile;
  let mail: MailFolderWatch;
  let samples: Sample[] = [];
  const apiKey = loadConfig({}).api.apiKeys[0]!;

  before(async function () {
    this.timeout(300_000);
    const [urgentPort, autoscalerPort, videoBase] = await Promise.all([
      freePort(),
      freePort(),
      freePortRange(4),
    ]);
    stack = await startDevProfile({
      env: {
        VIDEO_AUTOSCALE: 'on',
        AUTOSCALE_MAX_REPLICAS: '2',
        URGENT_WORKER_METRICS_PORT: String(urgentPort),
        VIDEO_WORKER_METRICS_PORT: String(videoBase),
        AUTOSCALE_METRICS_PORT: String(autoscalerPort),
      },
      upWithinMs: 240_000,
    });
    mail = watchMailFolder(stack.mailDir);
    const post = (path: string, body: unknown) =>
      fetch(`${stack.apiUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    // A video job run to its end (its webhooks included) and a password reset mailed.
    const email = `${randomUUID()}@example.test`;
    const video = await post('/videos', { tenantId: 'monitoring', plan: 'paid' });
    const videoBody = await video.text();
    assert.equal(video.status, 202, videoBody);
    const { videoId } = JSON.parse(videoBody) as { videoId: string };
    const reset = await post('/password-resets', { userId: `user-${randomUUID()}`, email });
    assert.equal(reset.status, 202, await reset.text());
    await mail.waitFor(email, 60_000);
    // And one mailed as an activity task (PASSWORD_RESET_MAIL_AS=activity, and runs started
    // before the choice), which the reset-mail alert reads too.
    const config = loadConfig({ TEMPORAL_ADDRESS: stack.temporalAddress });
    const client = await connectClient(config);
    const taskEmail = `${randomUUID()}@example.test`;
    try {
      const { ttlMs, cooldownMs } = config.passwordReset;
      await client.workflow.signalWithStart('passwordReset', {
        workflowId: `pwreset-monitoring-${randomUUID()}`,
        taskQueue: 'urgent',
        args: [{ ttlMs, cooldownMs, mailAs: 'activity' }],
        signal: requestResetSignal,
        signalArgs: [{ userId: `user-${randomUUID()}`, email: taskEmail }],
      });
    } finally {
      await client.connection.close();
    }
    await mail.waitFor(taskEmail, 60_000);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const res = await fetch(`${stack.apiUrl}/videos/${videoId}`, {
        headers: { authorization: `Bearer ${apiKey}` },
      });
      const body = (await res.json()) as { runStatus?: string };
      if (body.runStatus === 'COMPLETED') break;
      assert.equal(body.runStatus, 'RUNNING', `the video job ended otherwise: ${JSON.stringify(body)}`);
      assert.ok(Date.now() < deadline, `the video job did not succeed in 120 s: ${JSON.stringify(body)}`);
      await new Promise((r) => setTimeout(r, 500));
    }

    // The autoscaler's backlog series exist from its first reading of the backlog (one
    // AUTOSCALE_INTERVAL after its start, later on a loaded machine): wait for it.
    const autoscalerUrl = `http://127.0.0.1:${autoscalerPort}/metrics`;
    for (const until = Date.now() + 60_000; ;) {
      const text = await (await fetch(autoscalerUrl, { signal: AbortSignal.timeout(5_000) })).text();
      if (parseExposition(text).some((sample) => sample.name === 'floodgate_autoscaler_backlog_tasks')) break;
      assert.ok(Date.now() < until, 'the autoscaler made no reading of the backlog in 60 s');
      await new Promise((r) => setTimeout(r, 500));
    }
    const endpoints = [
      stack.apiUrl,
      ...[urgentPort, videoBase, autoscalerPort].map((p) => `http://127.0.0.1:${p}`),
    ];
    for (const base of endpoints) {
      const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5_000) });
      assert.equal(res.status, 200, `${base}/metrics`);
      samples = samples.concat(parseExposition(await res.text()));
    }
  });
  after(async () => {
    mail?.close();
    await stack?.stop();
  });

  it('every selector in the alerts and the dashboard matches an exported series', () => {
    const problems = monitoringExpressions().flatMap(({ where, expr }) =>
      selectorsOf(expr)
        .map((s) => unmatched(s, samples))
        .filter((p): p is string => p !== undefined)
        .map((p) => `${where}: ${p}`),
    );
    assert.deepEqual(problems, []);
  });

  it('covers what an operator must act on', () => {
    const alerts = monitoringExpressions().filter((e) => e.where.startsWith('alert'));
    const metrics = new Set(alerts.flatMap((a) => selectorsOf(a.expr).map((s) => s.metric)));
    for (const metric of [
      'floodgate_webhook_ack_seconds_bucket',
      'floodgate_http_requests_total',
      'temporal_activity_schedule_to_start_latency_bucket',
      'temporal_activity_succeed_endtoend_latency_bucket',
      'temporal_local_activity_succeed_endtoend_latency_bucket',
      'temporal_num_pollers',
      'floodgate_autoscaler_backlog_tasks',
      'floodgate_autoscaler_backlog_age_seconds',
      'floodgate_autoscaler_max_replicas',
    ]) {
      assert.ok(metrics.has(metric), `no alert reads ${metric}`);
    }
  });
});
