import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { simpleParser } from 'mailparser';
import type { ClusterStack } from '../../src/stack/cluster-stack.js';

/**
 * Asks a cluster stack's API for a password reset and waits for its mail in the SMTP sink's
 * folder; then, once visibility has caught up, asserts the reset ran where `urgent` looks and
 * not where `other` does (another server, or another namespace on the same one).
 */
export async function assertResetMailedAndRunIn(
  cluster: ClusterStack,
  email: string,
  urgent: Client,
  other: Client,
  where: string,
): Promise<void> {
  const reset = await requestReset(cluster, `u-${email.split('@')[0]}`, email);
  assert.equal(reset.status, 202, reset.text);
  assert.ok(await mailedResetToken(cluster, email, 30_000), 'the reset was mailed');
  // Visibility follows the run a moment later: wait for the reset to be listed.
  const listed = async (c: Client) => (await c.workflow.count('WorkflowType = "passwordReset"')).count;
  const until = Date.now() + 15_000;
  while ((await listed(urgent)) === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual([await listed(urgent), await listed(other)], [1, 0], `the reset ran ${where}`);
}

/** `POST /password-resets` on a cluster stack's API; the answer's status and text. */
export const requestReset = (cluster: ClusterStack, userId: string, email: string) =>
  postToApi(cluster, '/password-resets', { userId, email });

/** `POST /password-resets/redeem` on a cluster stack's API; the answer's status and text. */
export const redeemReset = (cluster: ClusterStack, userId: string, token: string) =>
  postToApi(cluster, '/password-resets/redeem', { userId, token });

async function postToApi(
  cluster: ClusterStack,
  path: string,
  body: unknown,
): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${cluster.config.api.port}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${cluster.config.api.apiKeys[0]}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

/**
 * Waits for the reset mail to `email` in the SMTP sink's folder; its token and when the sink
 * wrote it (the file's modification time).
 */
export async function mailedResetToken(
  cluster: ClusterStack,
  email: string,
  timeoutMs: number,
): Promise<{ token: string; mailedAt: number } | undefined> {
  const mailDir = join(cluster.config.dataDir, 'mail');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const files = existsSync(mailDir) ? readdirSync(mailDir).filter((f) => f.endsWith('.eml')) : [];
    for (const f of files) {
      const raw = readFileSync(join(mailDir, f));
      if (!raw.includes(email)) continue;
      const mail = await simpleParser(raw);
      const token = /[?&]token=([\w-]+)/.exec(mail.text ?? '')?.[1];
      if (token) return { token, mailedAt: statSync(join(mailDir, f)).mtimeMs };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}
