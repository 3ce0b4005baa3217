import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ConfigError, loadConfig } from '../../../src/config.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

function failsNaming(variable: string, env: Record<string, string>): boolean {
  try {
    loadConfig(env);
    return false;
  } catch (err) {
    return err instanceof ConfigError && err.message.includes(variable);
  }
}

describe('config parsing (properties)', () => {
  it('durations: any whole number with any unit (or none) is that many milliseconds', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 1_000_000 }),
        fc.constantFrom('', 'ms', 's', 'm', 'h'),
        fc.constantFrom('', ' '),
        (n, unit, pad) => {
          const config = loadConfig({ WEBHOOK_TOLERANCE: `${pad}${n}${unit}${pad}` });
          assert.equal(config.webhooks.toleranceMs, n * UNIT_MS[(unit || 'ms') as keyof typeof UNIT_MS]);
        },
      ),
    );
  });

  it('durations: anything that is not a number with a unit is refused, naming the variable', () => {
    const notDuration = fc
      .string({ minLength: 1, maxLength: 20 })
      .filter((s) => s.trim() !== '' && !/^\s*\d+(\.\d+)?(ms|s|m|h)?\s*$/.test(s));
    fc.assert(
      fc.property(notDuration, (value) => failsNaming('WEBHOOK_TOLERANCE', { WEBHOOK_TOLERANCE: value })),
    );
  });

  it('lists: comma-separated values come back trimmed, in order, empty entries dropped', () => {
    const entry = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,20}$/);
    fc.assert(
      fc.property(
        fc.array(entry, { minLength: 1, maxLength: 6 }),
        fc.constantFrom(',', ', ', ' ,', ',,'),
        (keys, separator) => {
          const config = loadConfig({ API_KEYS: keys.join(separator) });
          assert.deepEqual(config.api.apiKeys, keys);
        },
      ),
    );
  });

  it('lists: only commas and blanks is refused, naming the variable', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[, ]*,[, ]*$/), (value) =>
        failsNaming('API_KEYS', { API_KEYS: value }),
      ),
    );
  });

  it('ports: every whole number from 0 to 65535 is accepted as given', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65_535 }), (port) => {
        assert.equal(loadConfig({ PORT: String(port) }).api.port, port);
      }),
    );
  });

  it('ports: out of range, fractional or not a number is refused, naming the variable', () => {
    const badPort = fc.oneof(
      fc.integer({ min: 65_536 }).map(String),
      fc.integer({ max: -1 }).map(String),
      fc
        .double({ min: 0.01, max: 65_535, noNaN: true })
        .filter((d) => !Number.isInteger(d))
        .map(String),
      fc.stringMatching(/^[a-z]{1,8}$/),
    );
    fc.assert(fc.property(badPort, (value) => failsNaming('PORT', { PORT: value })));
  });
});
