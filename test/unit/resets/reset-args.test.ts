import { strict as assert } from 'node:assert';
import { parseResetArgs } from '../../../dev/resets/args.js';
import { ArgsError } from '../../../dev/storm/args.js';

const defaults = {
  perSecond: 5,
  durationMs: 60_000,
  apiUrl: 'http://127.0.0.1:3000',
  apiKey: 'key',
  mailDir: '/data/mail',
  deliveryTimeoutMs: 120_000,
};

describe('npm run resets arguments', () => {
  it('keeps the defaults when no flag is given', () => {
    assert.deepEqual(parseResetArgs([], defaults), { ...defaults, help: false });
  });

  it('reads rates per minute and durations in minutes', () => {
    const args = parseResetArgs(['--rate', '120/min', '--duration', '2m', '--timeout', '30s'], defaults);
    assert.equal(args.perSecond, 2);
    assert.equal(args.durationMs, 120_000);
    assert.equal(args.deliveryTimeoutMs, 30_000);
  });

  it('points at another stack', () => {
    const args = parseResetArgs(
      ['--api', 'http://10.0.0.1:8080', '--mail-dir', '/tmp/m', '--api-key', 'k2'],
      defaults,
    );
    assert.deepEqual([args.apiUrl, args.mailDir, args.apiKey], ['http://10.0.0.1:8080', '/tmp/m', 'k2']);
  });

  it('refuses an unknown flag or a bad rate with a message naming it', () => {
    assert.throws(
      () => parseResetArgs(['--rat', '5'], defaults),
      (e: unknown) => e instanceof ArgsError && /--rat/.test(e.message),
    );
    assert.throws(
      () => parseResetArgs(['--rate', 'fast'], defaults),
      (e: unknown) => e instanceof ArgsError && /fast/.test(e.message),
    );
  });
});
