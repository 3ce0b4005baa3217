import { BlockList } from 'node:net';
import { parseAddressRule } from '../activities/video/address-rules.js';
import { smtpTlsProblems } from '../activities/mail/smtp-tls-policy.js';
import { DEV_DEFAULTS } from '../dev-defaults.js';
import type { EncryptionKey } from '../temporal/encryption-codec.js';
import { isLoopbackHost, isThisMachine } from './loopback.js';
import { isPlaceholderHost, isPlaceholderValue } from './placeholders.js';

/** The parsed settings these checks read (names as in the environment). */
export interface CheckedSettings {
  NODE_ENV: 'development' | 'production' | 'test';
  HOST: string;
  PORT: number;
  API_KEYS: string[];
  WEBHOOK_URL_KEYS: string[];
  REPLICATE_WEBHOOK_SECRETS: string[];
  GENERIC_WEBHOOK_SECRETS: string[];
  GENERIC_WEBHOOK_LEGACY_UNTIMED: boolean;
  PUBLIC_BASE_URL?: string | undefined;
  PASSWORD_RESET_ID_KEY: string;
  PASSWORD_RESET_URL_BASE: string;
  PROVIDER_BASE_URL: string;
  PROVIDER_API_TOKEN: string;
  DOWNLOAD_ALLOWED_HOSTS: string[];
  DOWNLOAD_ALLOWED_ADDRESSES?: string[] | undefined;
  SMTP_URL: string;
  MAIL_FROM: string;
  TEMPORAL_API_KEY?: string | undefined;
  CODEC_AUTH_TOKENS?: string[] | undefined;
}

type Check = (s: CheckedSettings, keys: EncryptionKey[]) => string[];

const MIN_SECRET_BYTES = 32;
const MAKE_ONE = 'make one with: openssl rand -base64 32';
/** Settings of `id:secret` entries (rotatable keys). */
const ID_MAKE_ONE = 'make one with: u1:$(openssl rand -base64 32)';

/**
 * Every reason these settings must not run, one line each (`VARIABLE: what is wrong; what to
 * do`), all at once so one restart fixes them all. Production is said explicitly
 * (NODE_ENV=production) and refuses every development default, placeholder, short secret and
 * link to this machine; without it the development defaults apply, so the API must stay on
 * loopback. Secret values are never echoed.
 */
export function unsafeSettings(s: CheckedSettings, keys: EncryptionKey[]): string[] {
  if (s.NODE_ENV !== 'production') return devOutsideLoopback(s);
  return PRODUCTION_CHECKS.flatMap((check) => check(s, keys));
}

const PRODUCTION_CHECKS: Check[] = [
  devEncryptionKey,
  secrets,
  providerLinks,
  downloadHosts,
  downloadAddresses,
  publicLinks,
  legacyUntimedSignatures,
  smtp,
  mailFrom,
];

function devOutsideLoopback(s: CheckedSettings): string[] {
  if (isLoopbackHost(s.HOST)) return [];
  return [
    `HOST: ${s.HOST} is beyond loopback, but without NODE_ENV=production the development defaults apply; ` +
      'set NODE_ENV=production with real settings, or HOST=127.0.0.1',
  ];
}

/** The development key under any id: its bytes are public. */
function devEncryptionKey(_s: CheckedSettings, keys: EncryptionKey[]): string[] {
  const devKey = Buffer.from(
    DEV_DEFAULTS.payloadKey.slice(DEV_DEFAULTS.payloadKey.indexOf(':') + 1),
    'base64',
  );
  return keys.flatMap(({ id, key }) => {
    if (key.equals(devKey))
      return [`PAYLOAD_ENCRYPTION_KEYS: key "${id}" is the development key; ${keyHint()}`];
    if (new Set(key).size < 8) return [`PAYLOAD_ENCRYPTION_KEYS: key "${id}" is not random; ${keyHint()}`];
    return [];
  });
}

function keyHint(): string {
  return 'make one with: k1:$(openssl rand -base64 32)';
}

interface SecretSetting {
  name: string;
  values: string[];
  dev?: string;
  /** Floodgate's own secrets need 32 bytes; a provider's or a cluster's token is as they issue it. */
  ours: boolean;
}

function secrets(s: CheckedSettings): string[] {
  const settings: SecretSetting[] = [
    { name: 'API_KEYS', values: s.API_KEYS, dev: DEV_DEFAULTS.apiKey, ours: true },
    {
      name: 'REPLICATE_WEBHOOK_SECRETS',
      values: s.REPLICATE_WEBHOOK_SECRETS,
      dev: DEV_DEFAULTS.replicateSecret,
      ours: true,
    },
    {
      name: 'GENERIC_WEBHOOK_SECRETS',
      values: s.GENERIC_WEBHOOK_SECRETS,
      dev: DEV_DEFAULTS.genericSecret,
      ours: true,
    },
    {
      name: 'PASSWORD_RESET_ID_KEY',
      values: [s.PASSWORD_RESET_ID_KEY],
      dev: DEV_DEFAULTS.passwordResetIdKey,
      ours: true,
    },
    {
      // id:secret; the secret is what must be long, random and not the development one.
      name: 'WEBHOOK_URL_KEYS',
      values: s.WEBHOOK_URL_KEYS.map((k) => k.slice(k.indexOf(':') + 1)),
      dev: DEV_DEFAULTS.webhookUrlKey.slice(DEV_DEFAULTS.webhookUrlKey.indexOf(':') + 1),
      ours: true,
    },
    { name: 'CODEC_AUTH_TOKENS', values: s.CODEC_AUTH_TOKENS ?? [], ours: true },
    {
      name: 'PROVIDER_API_TOKEN',
      values: [s.PROVIDER_API_TOKEN],
      dev: DEV_DEFAULTS.providerToken,
      ours: false,
    },
    { name: 'TEMPORAL_API_KEY', values: s.TEMPORAL_API_KEY ? [s.TEMPORAL_API_KEY] : [], ours: false },
  ];
  return settings.flatMap(({ name, values, dev, ours }) =>
    values.flatMap((value, i) => {
      const problem = secretProblem(value, dev, ours, name === 'WEBHOOK_URL_KEYS' ? ID_MAKE_ONE : MAKE_ONE);
      const which = values.length > 1 ? ` (value ${i + 1})` : '';
      return problem ? [`${name}${which}: ${problem}`] : [];
    }),
  );
}

/** The first thing wrong with one secret value, without echoing it. */
function secretProblem(
  value: string,
  dev: string | undefined,
  ours: boolean,
  makeOne = MAKE_ONE,
): string | undefined {
  if (value === dev) return `the development default; ${ours ? makeOne : 'set the real one'}`;
  if (isPlaceholderValue(value)) return `a placeholder; ${ours ? makeOne : 'set the real one'}`;
  if (!ours) return undefined;
  const bytes = Buffer.byteLength(value);
  if (bytes < MIN_SECRET_BYTES)
    return `${bytes} bytes, production needs at least ${MIN_SECRET_BYTES}; ${makeOne}`;
  if (new Set(value).size < 8) return `repeats too few characters to be random; ${makeOne}`;
  return undefined;
}

function providerLinks(s: CheckedSettings): string[] {
  const problem = linkProblem(s.PROVIDER_BASE_URL);
  if (!problem) return [];
  const sim = s.PROVIDER_BASE_URL.startsWith(DEV_DEFAULTS.providerBaseUrl) ? ' (the simulated provider)' : '';
  return [`PROVIDER_BASE_URL: ${problem}${sim}; set the provider's API URL`];
}

function downloadHosts(s: CheckedSettings): string[] {
  return s.DOWNLOAD_ALLOWED_HOSTS.flatMap((host) => {
    if (isThisMachine(host)) {
      return [`DOWNLOAD_ALLOWED_HOSTS: "${host}" is this machine; list only the provider's file hosts`];
    }
    if (isPlaceholderHost(host)) {
      return [`DOWNLOAD_ALLOWED_HOSTS: "${host}" is an example domain; list only the provider's file hosts`];
    }
    return [];
  });
}

/** An allow-list entry that reaches this machine: downloads could then read its local services. */
function downloadAddresses(s: CheckedSettings): string[] {
  return (s.DOWNLOAD_ALLOWED_ADDRESSES ?? []).flatMap((entry) => {
    const rule = parseAddressRule(entry);
    const list = new BlockList();
    list.addSubnet(rule.address, rule.prefix, rule.family);
    const reachesLoopback =
      rule.family === 'ipv4' ? list.check('127.0.0.1', 'ipv4') : list.check('::1', 'ipv6');
    if (!reachesLoopback) return [];
    return [
      `DOWNLOAD_ALLOWED_ADDRESSES: "${entry}" covers loopback; list only the private ranges your file hosts use, or none`,
    ];
  });
}

/** Links Floodgate hands out: the webhook URL given to the provider, the reset link in mails. */
function publicLinks(s: CheckedSettings): string[] {
  const lines: string[] = [];
  if (s.PUBLIC_BASE_URL === undefined) {
    lines.push(
      `PUBLIC_BASE_URL: unset, so the provider would be told to call http://127.0.0.1:${s.PORT}; set this API's public URL`,
    );
  } else {
    const problem = linkProblem(s.PUBLIC_BASE_URL);
    if (problem) lines.push(`PUBLIC_BASE_URL: ${problem}; set this API's public URL`);
  }
  const reset = linkProblem(s.PASSWORD_RESET_URL_BASE);
  if (reset) lines.push(`PASSWORD_RESET_URL_BASE: ${reset}; set your reset page's public URL`);
  return lines;
}

function linkProblem(url: string): string | undefined {
  const host = new URL(url).hostname;
  if (isThisMachine(host)) return `${url} points at this machine`;
  if (isPlaceholderHost(host)) return `${url} is an example domain`;
  return undefined;
}

function legacyUntimedSignatures(s: CheckedSettings): string[] {
  if (!s.GENERIC_WEBHOOK_LEGACY_UNTIMED) return [];
  return ['GENERIC_WEBHOOK_LEGACY_UNTIMED: true accepts signatures that replay forever; not in production'];
}

/** Production mail goes over TLS only (the transport requires it too), to a real server. */
function smtp(s: CheckedSettings): string[] {
  const lines = smtpTlsProblems(s.SMTP_URL).map((p) => `SMTP_URL: ${p}`);
  if (lines.length > 0) return lines;
  const u = new URL(s.SMTP_URL);
  if (isPlaceholderHost(u.hostname)) lines.push(`SMTP_URL: ${u.hostname} is an example domain`);
  if (u.password && isPlaceholderValue(decodeURIComponent(u.password))) {
    lines.push('SMTP_URL: the password is a placeholder; set the real one');
  }
  return lines;
}

function mailFrom(s: CheckedSettings): string[] {
  const domain = /@([^>\s]+)>?\s*$/.exec(s.MAIL_FROM)?.[1];
  if (!domain) return [`MAIL_FROM: has no address@domain; set your sending address`];
  if (isPlaceholderHost(domain) || isThisMachine(domain)) {
    return [`MAIL_FROM: ${domain} is not a real mail domain; set your sending address`];
  }
  return [];
}
