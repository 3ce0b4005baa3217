import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';

/** One running Floodgate profile, as an operator and the product backend reach it. */
export interface WebUiTarget {
  uiUrl: string;
  apiUrl: string;
  apiKey: string;
  /** The simulated provider, whose chaos knobs make a job fail. */
  providerUrl: string;
  namespace: string;
  stop(): Promise<void>;
}

interface FailedJob {
  videoId: string;
  workflowId: string;
  tenantId: string;
  prompt: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const ENCRYPTED_ENCODING = Buffer.from('binary/encrypted').toString('base64');

/**
 * The operator's path through the Temporal Web UI, in a real headless Chromium: find a failed
 * video job by its search attributes, open it, read its input in clear text. Any profile with
 * a Web UI, the API and the simulated provider can run these checks: pass its URLs.
 */
export function describeWebUiChecks(
  profile: string,
  start: () => Promise<WebUiTarget>,
  opts: { screenshotPath?: string } = {},
): void {
  describe(`Temporal Web UI in a browser (${profile})`, function () {
    this.timeout(300_000);
    let target: WebUiTarget | undefined;
    let browser: Browser | undefined;
    let page: Page;
    const codecAnswers: number[] = [];
    let mine: FailedJob;
    let other: FailedJob;

    before(async function () {
      this.timeout(300_000);
      [target, browser] = await Promise.all([start(), launchChromium()]);
      const run = randomUUID().slice(0, 8);
      [mine, other] = (await failVideoJobs(target, [`webui-${run}`, `webui-other-${run}`])) as [
        FailedJob,
        FailedJob,
      ];
      page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
      // The UI reaches out to the internet for news; only loopback is allowed here.
      await page.route('**/*', (route) =>
        LOOPBACK.has(new URL(route.request().url()).hostname) ? route.continue() : route.abort(),
      );
      page.on('response', (res) => {
        if (new URL(res.url()).pathname === '/codec/decode') codecAnswers.push(res.status());
      });
    });
    after(async () => {
      await browser?.close();
      await target?.stop();
    });

    it('keeps the job input encrypted in history (what the UI server hands the browser)', async () => {
      const t = target!;
      const res = await fetch(
        `${t.uiUrl}/api/v1/namespaces/${t.namespace}/workflows/${encodeURIComponent(mine.workflowId)}/history?maximumPageSize=1`,
      );
      assert.equal(res.status, 200, `UI server history API: ${res.status}`);
      const body = (await res.json()) as {
        history?: { events?: Array<Record<string, { input?: { payloads?: PayloadJson[] } }>> };
      };
      const payload =
        body.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      assert.equal(payload?.metadata?.encoding, ENCRYPTED_ENCODING, 'input payload encoding');
      const bytes = Buffer.from(payload?.data ?? '', 'base64').toString('latin1');
      assert.ok(!bytes.includes(mine.prompt), 'the prompt must not be readable in stored history');
    });

    it('finds the failed job by VideoStatus and TenantId and shows its input decoded through /codec', async () => {
      const t = target!;
      const query = `VideoStatus="failed" AND TenantId="${mine.tenantId}"`;
      const listUrl = `${t.uiUrl}/namespaces/${t.namespace}/workflows?query=${encodeURIComponent(query)}`;
      const link = page.locator(`a[href*="/workflows/${mine.workflowId}/"]`).first();
      // Visibility can trail the run's close by a moment: reload a bounded number of times.
      for (let i = 0; i < 10; i++) {
        await page.goto(listUrl);
        try {
          await link.waitFor({ state: 'visible', timeout: 10_000 });
          break;
        } catch {
          await sleep(1_000);
        }
      }
      assert.ok(await link.isVisible(), `the failed job is not listed for ${query}`);
      assert.equal(
        await page.locator(`a[href*="/workflows/${other.workflowId}/"]`).count(),
        0,
        "another tenant's failed job must not match the TenantId filter",
      );

      await link.click();
      // Newer UIs label the input's editor; older ones (the cluster's UI server) show it in an
      // unlabelled code block, found by the job's own id once /codec has decoded it.
      const input = page
        .getByRole('textbox', { name: 'Input' })
        .or(page.locator('.cm-content, pre').filter({ hasText: mine.videoId }))
        .first();
      await input.waitFor({ state: 'visible', timeout: 60_000 });
      // The UI first renders the payload as stored, then again once /codec has answered.
      let text = '';
      for (let i = 0; i < 40 && !text.includes(mine.tenantId); i++) {
        if (i > 0) await sleep(500);
        text = await input.innerText();
      }
      assert.ok(!text.includes('binary/encrypted'), `input shown encrypted:\n${text}`);
      const decoded = JSON.parse(text) as Record<string, unknown>;
      assert.equal(decoded.videoId, mine.videoId, `input as the UI shows it:\n${text}`);
      assert.equal(decoded.tenantId, mine.tenantId);
      assert.deepEqual(decoded.providerInput, { prompt: mine.prompt });
      assert.ok(
        codecAnswers.length > 0 && codecAnswers.every((s) => s === 200),
        `the browser must decode through /codec (answers: ${codecAnswers.join(',') || 'none'})`,
      );
      // The status badge has a test id in newer UIs; older ones show it in the page header.
      const badge = page.getByTestId('execution-status');
      const status = (await badge.count())
        ? await badge.first().innerText()
        : await page.locator('body').innerText();
      assert.match(status, /failed/i);
      // The result panel carries a stack trace with this machine's file paths: masked in the picture.
      if (opts.screenshotPath)
        await page.screenshot({
          path: opts.screenshotPath,
          mask: [page.getByRole('textbox', { name: 'Result' })],
        });
    });
  });
}

interface PayloadJson {
  metadata?: Record<string, string>;
  data?: string;
}

/** Makes the provider fail every prediction, requests one video per tenant, waits until each run failed. */
async function failVideoJobs(t: WebUiTarget, tenants: string[]): Promise<FailedJob[]> {
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${t.apiUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${t.apiKey}`, 'content-type': 'application/json' },
    });
  const chaos = (knobs: Record<string, unknown>) =>
    fetch(`${t.providerUrl}/_sim/chaos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(knobs),
    });
  const before = (await (await fetch(`${t.providerUrl}/_sim/chaos`)).json()) as Record<string, unknown>;
  assert.equal((await chaos({ failurePercent: 100 })).status, 200);
  try {
    const jobs: FailedJob[] = [];
    for (const tenantId of tenants) {
      const prompt = `a lighthouse in a storm #${randomUUID().slice(0, 8)}`;
      const res = await api('/videos', {
        method: 'POST',
        body: JSON.stringify({ tenantId, plan: 'free', input: { prompt } }),
      });
      const body = await res.text();
      assert.equal(res.status, 202, `POST /videos: ${res.status} ${body}`);
      const { videoId, workflowId } = JSON.parse(body) as { videoId: string; workflowId: string };
      jobs.push({ videoId, workflowId, tenantId, prompt });
    }
    for (const job of jobs) {
      let state: { runStatus?: string; videoStatus?: string } = {};
      for (let i = 0; i < 120 && state.runStatus !== 'FAILED'; i++) {
        await sleep(1_000);
        state = (await (await api(`/videos/${job.videoId}`)).json()) as typeof state;
      }
      assert.equal(state.runStatus, 'FAILED', `job ${job.videoId} did not fail: ${JSON.stringify(state)}`);
      assert.equal(state.videoStatus, 'failed');
    }
    return jobs;
  } finally {
    await chaos({ failurePercent: before.failurePercent ?? 0 });
  }
}
