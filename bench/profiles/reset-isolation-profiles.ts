import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../test/support/free-port.js';
import { waitForHttp } from '../readiness.js';
import { devProfile } from './dev-profile.js';
import type { StackProfile } from './stack-profile.js';

const root = new URL('../../', import.meta.url).pathname;

/**
 * Experiment, not a way to run Floodgate: `npm start` plus a second API process, the same
 * entry and settings on its own port, that takes only the password resets, so a reset never
 * shares an event loop or a Temporal connection with the webhook storm. The gap between this
 * and `devProfile` is what sharing the API process costs a reset.
 */
export const devUrgentApiProfile: StackProfile = {
  name: 'dev server, resets on their own API process (experiment)',
  async start(opts) {
    const stack = await devProfile.start(opts);
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/api/server.ts')], {
      env: { ...process.env, ...stack.env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await stack.stop();
    };
    const resetApiUrl = `http://127.0.0.1:${port}`;
    try {
      await waitForHttp(`${resetApiUrl}/readyz`, 60_000);
    } catch (err) {
      await stop();
      throw err;
    }
    const failure = Promise.race([
      stack.failure,
      exited.then(() => {
        throw new Error('the resets’ API process exited on its own');
      }),
    ]);
    failure.catch(() => undefined);
    return { ...stack, resets: { ...stack, apiUrl: resetApiUrl }, failure, stop };
  },
};
