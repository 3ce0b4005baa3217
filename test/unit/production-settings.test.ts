import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ConfigError, DEV_DEFAULTS, loadConfig } from '../../src/config.js';
import { productionEnv, randomSecret } from '../support/production-env.js';

/** The refusal lines loadConfig gives (without the header), or none when it accepts. */
function refusals(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const [header, ...lines] = err.message.split('\n');
    assert.match(header!, /^invalid configuration( for production)?:$/);
    return lines.map((l) => l.trim());
  }
}

/** Exactly one refusal, naming `variable`, matching `pattern`. */
function refusedOnce(overrides: Record<string, string | undefined>, variable: string, pattern: RegExp): void {
  const env = { ...productionEnv(), ...overrides };
  for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete env[k];
  const lines = refusals(env);
  assert.equal(lines.length, 1, `one line for ${JSON.stringify(overrides)}, got:\n${lines.join('\n')}`);
  assert.ok(lines[0]!.startsWith(`${variable}`), lines[0]);
  assert.match(lines[0]!, pattern);
}

const devKeyB64 = DEV_DEFAULTS.payloadKey.slice(DEV_DEFAULTS.payloadKey.indexOf(':') + 1);

describe('production settings', () => {
  it('accepts a complete production environment', () => {
    assert.deepEqual(refusals(productionEnv()), []);
    assert.equal(loadConfig(productionEnv()).env, 'production');
  });

  it('refuses the development encryption key under any key id, and a key that is not random', () => {
    refusedOnce(
      { PAYLOAD_ENCRYPTION_KEYS: undefined },
      'PAYLOAD_ENCRYPTION_KEYS',
      /"dev1" is the development key/,
    );
    refusedOnce(
      { PAYLOAD_ENCRYPTION_KEYS: `prod7:${devKeyB64}` },
      'PAYLOAD_ENCRYPTION_KEYS',
      /"prod7" is the development key/,
    );
    const fresh = `k2:${randomBytes(32).toString('base64')}`;
    refusedOnce({ PAYLOAD_ENCRYPTION_KEYS: `${fresh},old:${devKeyB64}` }, 'PAYLOAD_ENCRYPTION_KEYS', /"old"/);
    refusedOnce(
      { PAYLOAD_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}` },
      'PAYLOAD_ENCRYPTION_KEYS',
      /not random/,
    );
  });

  it('refuses each development default secret and the development provider token', () => {
    for (const name of [
      'API_KEYS',
      'REPLICATE_WEBHOOK_SECRETS',
      'GENERIC_WEBHOOK_SECRETS',
      'PASSWORD_RESET_ID_KEY',
    ]) {
      refusedOnce({ [name]: undefined }, name, /development default; make one with: openssl rand/);
    }
    refusedOnce({ PROVIDER_API_TOKEN: undefined }, 'PROVIDER_API_TOKEN', /development default/);
    refusedOnce(
      { PROVIDER_API_TOKEN: DEV_DEFAULTS.providerToken },
      'PROVIDER_API_TOKEN',
      /development default/,
    );
  });

  it('refuses placeholders where a secret belongs, without echoing the value', () => {
    const cases: Array<[string, string]> = [
      ['API_KEYS', 'change-me'],
      ['API_KEYS', 'CHANGEME-please-0123456789abcdef0123456789'],
      ['REPLICATE_WEBHOOK_SECRETS', 'whsec_change-me'],
      ['GENERIC_WEBHOOK_SECRETS', '<your generic webhook secret: 32 bytes or more>'],
      ['PASSWORD_RESET_ID_KEY', 'change-me-to-a-long-random-string'],
      ['PROVIDER_API_TOKEN', 'r8_change-me'],
      ['PROVIDER_API_TOKEN', 'token'],
      ['TEMPORAL_API_KEY', 'replace-me'],
      ['CODEC_AUTH_TOKENS', 'change-me-codec-token-0123456789abcdef'],
    ];
    for (const [name, value] of cases) {
      refusedOnce({ [name]: value }, name, /: a placeholder; /);
      assert.ok(
        !refusals(productionEnv({ [name]: value }))
          .join('\n')
          .includes(value),
        'value not echoed',
      );
    }
  });

  it('refuses secrets under 32 bytes, and at 32 accepts them', () => {
    for (const name of [
      'API_KEYS',
      'REPLICATE_WEBHOOK_SECRETS',
      'GENERIC_WEBHOOK_SECRETS',
      'PASSWORD_RESET_ID_KEY',
      'CODEC_AUTH_TOKENS',
    ]) {
      refusedOnce(
        {
          [name]: randomSecret().slice(0, 31),
        },
        name,
        /31 bytes, production needs at least 32/,
      );
      assert.deepEqual(
        refusals(productionEnv({ [name]: randomBytes(16).toString('hex') })),
        [],
        `${name}: 32 bytes`,
      );
    }
    refusedOnce({ API_KEYS: `${randomSecret()},short-key-0123456789` }, 'API_KEYS (value 2)', /20 bytes/);
    refusedOnce(
      { GENERIC_WEBHOOK_SECRETS: 'ab'.repeat(20) },
      'GENERIC_WEBHOOK_SECRETS',
      /too few characters/,
    );
  });

  it('refuses download hosts on this machine and example domains', () => {
    for (const host of [
      '127.0.0.1',
      'localhost',
      'LOCALHOST.',
      '127.1.2.3',
      '::1',
      '[::1]',
      'cdn.localhost',
      '0.0.0.0',
      '::ffff:127.0.0.1',
      '127.1',
      '0x7f000001',
      '2130706433',
    ]) {
      refusedOnce(
        { DOWNLOAD_ALLOWED_HOSTS: `replicate.delivery,${host}` },
        'DOWNLOAD_ALLOWED_HOSTS',
        /is this machine/,
      );
    }
    refusedOnce({ DOWNLOAD_ALLOWED_HOSTS: 'files.example.com' }, 'DOWNLOAD_ALLOWED_HOSTS', /example domain/);
    assert.deepEqual(
      refusals(productionEnv({ DOWNLOAD_ALLOWED_HOSTS: 'replicate.delivery,pbxt.replicate.delivery' })),
      [],
    );
  });

  it('refuses download addresses that cover loopback, and allows none by default', () => {
    for (const entry of ['127.0.0.1', '127.0.0.0/8', '0.0.0.0/0', '::1', '::/0']) {
      refusedOnce(
        { DOWNLOAD_ALLOWED_ADDRESSES: `10.20.0.0/16,${entry}` },
        'DOWNLOAD_ALLOWED_ADDRESSES',
        /covers loopback/,
      );
    }
    assert.deepEqual(refusals(productionEnv({ DOWNLOAD_ALLOWED_ADDRESSES: '10.20.0.0/16,fd00::/8' })), []);
    assert.deepEqual(loadConfig(productionEnv()).provider.downloadAllowedAddresses, []);
    assert.deepEqual(loadConfig({}).provider.downloadAllowedAddresses, ['127.0.0.1', '::1']);
  });

  it('refuses the development provider URL and any provider URL on this machine', () => {
    refusedOnce(
      { PROVIDER_BASE_URL: undefined },
      'PROVIDER_BASE_URL',
      /127\.0\.0\.1:4010 points at this machine \(the simulated provider\)/,
    );
    refusedOnce({ PROVIDER_BASE_URL: 'http://[::1]:9000' }, 'PROVIDER_BASE_URL', /points at this machine/);
    refusedOnce({ PROVIDER_BASE_URL: 'https://localhost.' }, 'PROVIDER_BASE_URL', /points at this machine/);
  });

  it('refuses links on this machine or an example domain: the reset link base and the public URL', () => {
    refusedOnce(
      { PASSWORD_RESET_URL_BASE: undefined },
      'PASSWORD_RESET_URL_BASE',
      /http:\/\/localhost:3000\/reset points at this machine/,
    );
    refusedOnce(
      { PASSWORD_RESET_URL_BASE: 'http://127.0.0.1/reset' },
      'PASSWORD_RESET_URL_BASE',
      /this machine/,
    );
    refusedOnce(
      { PASSWORD_RESET_URL_BASE: 'https://app.example.com/reset' },
      'PASSWORD_RESET_URL_BASE',
      /example domain/,
    );
    refusedOnce(
      { PUBLIC_BASE_URL: undefined },
      'PUBLIC_BASE_URL',
      /unset, so the provider would be told to call http:\/\/127\.0\.0\.1:3000/,
    );
    refusedOnce({ PUBLIC_BASE_URL: 'http://localhost:3000' }, 'PUBLIC_BASE_URL', /points at this machine/);
    refusedOnce({ PUBLIC_BASE_URL: 'https://floodgate.example.com' }, 'PUBLIC_BASE_URL', /example domain/);
  });

  it('refuses GENERIC_WEBHOOK_LEGACY_UNTIMED=true', () => {
    refusedOnce(
      { GENERIC_WEBHOOK_LEGACY_UNTIMED: 'true' },
      'GENERIC_WEBHOOK_LEGACY_UNTIMED',
      /replay forever/,
    );
    refusedOnce({ GENERIC_WEBHOOK_LEGACY_UNTIMED: '1' }, 'GENERIC_WEBHOOK_LEGACY_UNTIMED', /replay forever/);
    assert.deepEqual(refusals(productionEnv({ GENERIC_WEBHOOK_LEGACY_UNTIMED: 'false' })), []);
  });

  it('refuses SMTP settings that would send in clear or trust any certificate, and placeholder mail settings', () => {
    const host = `mailer:${randomSecret()}@smtp.acme.internal`;
    refusedOnce(
      { SMTP_URL: `smtp://${host}:587?requireTLS=false` },
      'SMTP_URL',
      /requireTLS=false would send mail in clear text/,
    );
    refusedOnce({ SMTP_URL: `smtps://${host}:465?secure=false&requireTLS=0` }, 'SMTP_URL', /clear text/);
    refusedOnce({ SMTP_URL: `smtp://${host}:25?ignoreTLS=true` }, 'SMTP_URL', /ignoreTLS=true/);
    refusedOnce(
      { SMTP_URL: `smtps://${host}?tls.rejectUnauthorized=false` },
      'SMTP_URL',
      /accepts anyone's certificate/,
    );
    refusedOnce({ SMTP_URL: `direct://${host}` }, 'SMTP_URL', /direct:\/\/ is not SMTP with TLS/);
    refusedOnce(
      { SMTP_URL: 'smtp://user:pass@smtp.acme.internal:587' },
      'SMTP_URL',
      /password is a placeholder/,
    );
    refusedOnce(
      { SMTP_URL: `smtp://mailer:${randomSecret()}@smtp.example.com:587` },
      'SMTP_URL',
      /smtp\.example\.com is an example domain/,
    );
    refusedOnce({ MAIL_FROM: undefined }, 'MAIL_FROM', /floodgate\.local is not a real mail domain/);
    refusedOnce({ MAIL_FROM: 'Floodgate <no-reply@example.com>' }, 'MAIL_FROM', /example\.com/);
    for (const ok of [
      `smtps://${host}:465`,
      `smtp://${host}:587`,
      `smtp://${host}:587?requireTLS=true`,
      `smtp://${host}:465?secure=true&requireTLS=false`,
      'smtp://127.0.0.1:25',
    ]) {
      assert.deepEqual(refusals(productionEnv({ SMTP_URL: ok })), [], ok);
    }
  });

  it('lists every problem at once, one line each, when production is said with development defaults', () => {
    const lines = refusals({ NODE_ENV: 'production' });
    const named = lines.map((l) => l.slice(0, l.indexOf(':')));
    assert.deepEqual(named, [
      'PAYLOAD_ENCRYPTION_KEYS',
      'API_KEYS',
      'REPLICATE_WEBHOOK_SECRETS',
      'GENERIC_WEBHOOK_SECRETS',
      'PASSWORD_RESET_ID_KEY',
      'WEBHOOK_URL_KEYS',
      'PROVIDER_API_TOKEN',
      'PROVIDER_BASE_URL',
      'DOWNLOAD_ALLOWED_HOSTS',
      'DOWNLOAD_ALLOWED_HOSTS',
      'PUBLIC_BASE_URL',
      'PASSWORD_RESET_URL_BASE',
      'MAIL_FROM',
    ]);
    const devSecrets = Object.entries(DEV_DEFAULTS).filter(([name]) => name !== 'providerBaseUrl');
    for (const [, secret] of devSecrets) {
      assert.ok(!lines.join('\n').includes(secret), 'no development secret echoed');
    }
  });

  it('keeps the development defaults on loopback: a wider bind without NODE_ENV=production is refused', () => {
    for (const env of [
      { HOST: '0.0.0.0' },
      { HOST: '::', NODE_ENV: 'test' },
      { HOST: '10.0.0.5', NODE_ENV: 'development' },
    ]) {
      const lines = refusals(env);
      assert.equal(lines.length, 1, JSON.stringify(env));
      assert.match(
        lines[0]!,
        new RegExp(
          `^HOST: ${env.HOST.replace(/\./g, '\\.')} is beyond loopback, but without NODE_ENV=production`,
        ),
      );
    }
    // Own secrets do not make a development process safe to expose: production is said explicitly.
    assert.equal(refusals({ ...productionEnv(), NODE_ENV: 'development' }).length, 1);
    for (const HOST of ['127.0.0.1', 'localhost', '::1', '127.0.0.53'])
      assert.deepEqual(refusals({ HOST }), [], HOST);
    assert.deepEqual(refusals({}), [], 'development defaults still start on loopback');
  });
});
