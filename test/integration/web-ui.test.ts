import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevProfile } from '../support/dev-profile.js';
import { describeWebUiChecks } from './web-ui-checks.js';

// The dev profile as `npm start` runs it: the dev server's Web UI calling the API's /codec.
describeWebUiChecks(
  'npm start',
  async () => {
    const profile = await startDevProfile();
    return {
      uiUrl: profile.uiUrl,
      apiUrl: profile.apiUrl,
      apiKey: 'fg_dev_key', // the development key npm start prints
      providerUrl: profile.providerUrl,
      namespace: 'default',
      stop: profile.stop,
    };
  },
  { screenshotPath: join(tmpdir(), 'floodgate-web-ui-npm-start.png') },
);
