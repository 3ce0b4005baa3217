import { launchStack, type LaunchedStack } from './stack-launcher.js';

export type DevProfile = Pick<
  LaunchedStack,
  'apiUrl' | 'uiUrl' | 'providerUrl' | 'temporalAddress' | 'mailDir' | 'dataDir' | 'output' | 'stop'
>;

/**
 * `npm start` exactly as a user runs it (src/stack/start.ts with its own dev server, Web UI and
 * codec endpoint), on free ports and a temp DATA_DIR, in its own process group so a failed test
 * leaves nothing behind.
 */
export function startDevProfile(
  opts: { env?: Record<string, string>; upWithinMs?: number } = {},
): Promise<DevProfile> {
  return launchStack({ ...opts, dataDirPrefix: 'floodgate-profile-' });
}
