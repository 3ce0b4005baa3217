/**
 * Values that stand in for a real one: what examples, compose files and manifests ship so an
 * operator replaces them. Words random data does not produce by chance, so a real secret is
 * never mistaken for one.
 */
const PLACEHOLDER_WORDS =
  /change[-_ .]?(me|this|it)|replace[-_ .]?(me|this)|placeholder|your[-_ ]|fill[-_ ]?(me|in)|set[-_]me|fixme|dummy|not[-_ ]?a[-_ ]?real|<[^>]*>|\$\{/i;

/** Whole values that are words, not secrets. */
const PLACEHOLDER_VALUES = new Set([
  'secret',
  'password',
  'pass',
  'passwd',
  'token',
  'key',
  'apikey',
  'api-key',
  'test',
  'dev',
  'admin',
  'default',
  'none',
  'null',
  'undefined',
  'todo',
  'tbd',
  '...',
  '…',
]);

/** Domains reserved for examples and for no real use (RFC 2606, RFC 6761, RFC 6762). */
const PLACEHOLDER_DOMAIN = /(^|\.)(example\.(com|net|org)|example|invalid|test|local)$/i;

/** True for a placeholder secret or token; a `whsec_` prefix does not count. */
export function isPlaceholderValue(value: string): boolean {
  const v = value.trim().replace(/^whsec_/i, '');
  return PLACEHOLDER_WORDS.test(v) || PLACEHOLDER_VALUES.has(v.toLowerCase());
}

/** True for a host in a domain reserved for examples (example.com, *.invalid, *.local…). */
export function isPlaceholderHost(host: string): boolean {
  return PLACEHOLDER_DOMAIN.test(host.trim().replace(/\.$/, ''));
}
