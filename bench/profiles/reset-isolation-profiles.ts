import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../test/support/free-port.js';
import { waitForHttp } from '../readiness.js';
import { devNoVideoLaneProfile, devProfile } from './dev-profile.js';
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

/**
 * Experiment, not a way to run Floodgate: two `npm start` stacks on the one machine, each with
 * its own dev server. The webhook storm and its video work go to the first; the resets to the
 * second (urgent worker, API and SMTP sink of its own, no video worker). The two still share
 * the machine's two cores. The gap between this and `devProfile` is what sharing one Temporal
 * server with the video lane costs a reset.
 */
export const devUrgentServerProfile: StackProfile = {
  name: 'dev server, resets on a Temporal server of their own (experiment)',
  async start(opts) {
    const storm = await devProfile.start(opts);
    let urgent;
    try {
      urgent = await devNoVideoLaneProfile.start(opts);
    } catch (err) {
      await storm.stop();
      throw err;
    }
    const failure = Promise.race([storm.failure, urgent.failure]);
    failure.catch(() => undefined);
    return {
      ...storm,
      resets: urgent,
      failure,
      stop: async () => {
        await Promise.all([urgent.stop(), storm.stop()]);
      },
    };
  },
};
