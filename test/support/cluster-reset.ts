import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
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
  const reset = await fetch(`http://127.0.0.1:${cluster.config.api.port}/password-resets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${cluster.config.api.apiKeys[0]}`, 'content-type': 'application/json' },
    body: JSON.stringify({ userId: `u-${email.split('@')[0]}`, email }),
  });
  assert.equal(reset.status, 202, await reset.text());
  const mailDir = join(cluster.config.dataDir, 'mail');
  const deadline = Date.now() + 30_000;
  let mailed = false;
  while (!mailed && Date.now() < deadline) {
    const files = existsSync(mailDir) ? readdirSync(mailDir).filter((f) => f.endsWith('.eml')) : [];
    mailed = files.some((f) => readFileSync(join(mailDir, f), 'utf8').includes(email));
    if (!mailed) await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(mailed, 'the reset was mailed');
  // Visibility follows the run a moment later: wait for the reset to be listed.
  const listed = async (c: Client) => (await c.workflow.count('WorkflowType = "passwordReset"')).count;
  const until = Date.now() + 15_000;
  while ((await listed(urgent)) === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual([await listed(urgent), await listed(other)], [1, 0], `the reset ran ${where}`);
}
