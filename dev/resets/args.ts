import { parseArgs } from 'node:util';
import { ArgsError, parseDuration, parseRate } from '../storm/args.js';

export const USAGE = `npm run resets -- [options]

Sends password resets to a running stack at a steady rate, each for a new user, and times each
from its request to its mail landing in the SMTP sink's folder, as a user of \`npm start\`
would see it. Run it beside \`npm run storm\` to see the urgent lane under load.

  --rate <r>       resets per second, minute or hour (default 5/s)
  --duration <d>   how long to send (default 60s)
  --api <url>      Floodgate API (default from PORT)
  --api-key <key>  API key (default: first of API_KEYS)
  --mail-dir <dir> the SMTP sink's folder (default DATA_DIR/mail)
  --timeout <d>    how long a reset may wait for its mail before it counts as lost (default 2m)
`;

export interface ResetArgs {
  help: boolean;
  perSecond: number;
  durationMs: number;
  apiUrl: string;
  apiKey: string;
  mailDir: string;
  deliveryTimeoutMs: number;
}

/** Parses `npm run resets` flags over the defaults taken from the stack's configuration. */
export function parseResetArgs(argv: string[], defaults: Omit<ResetArgs, 'help'>): ResetArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        help: { type: 'boolean' },
        rate: { type: 'string' },
        duration: { type: 'string' },
        api: { type: 'string' },
        'api-key': { type: 'string' },
        'mail-dir': { type: 'string' },
        timeout: { type: 'string' },
      },
      strict: true,
    }));
  } catch (err) {
    throw new ArgsError(`${(err as Error).message}\n\n${USAGE}`);
  }
  return {
    help: values.help ?? false,
    perSecond: values.rate === undefined ? defaults.perSecond : parseRate(values.rate),
    durationMs:
      values.duration === undefined ? defaults.durationMs : parseDuration(values.duration, '--duration'),
    apiUrl: values.api ?? defaults.apiUrl,
    apiKey: values['api-key'] ?? defaults.apiKey,
    mailDir: values['mail-dir'] ?? defaults.mailDir,
    deliveryTimeoutMs:
      values.timeout === undefined ? defaults.deliveryTimeoutMs : parseDuration(values.timeout, '--timeout'),
  };
}
