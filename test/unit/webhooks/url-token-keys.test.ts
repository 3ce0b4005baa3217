import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  parseUrlTokenKeys,
  signUrlToken,
  urlTokenMatches,
  type UrlTokenKey,
} from '../../../src/api/webhooks/webhook-url-token.js';

describe('webhook URL token keys', () => {
  it('reads id:secret entries, the secret being everything after the first colon', () => {
    assert.deepEqual(parseUrlTokenKeys(['k1:0123456789abcdef', 'k-2:with:colons:inside!']), [
      { id: 'k1', secret: '0123456789abcdef' },
      { id: 'k-2', secret: 'with:colons:inside!' },
    ]);
  });

  it('refuses an entry without an id, a short secret and a repeated id, naming the problem', () => {
    assert.throws(() => parseUrlTokenKeys([':0123456789abcdef']), {
      message: '":0123456…" is not id:secret',
    });
    assert.throws(() => parseUrlTokenKeys(['no-colon-at-all-here']), {
      message: '"no-colon…" is not id:secret',
    });
    assert.throws(() => parseUrlTokenKeys(['k1:0123456789abcde']), {
      message: 'key "k1" must be at least 16 characters',
    });
    assert.throws(() => parseUrlTokenKeys(['k1:0123456789abcdef', 'k1:fedcba9876543210']), {
      message: 'key ids must be unique',
    });
  });

  it('cannot sign without a key', () => {
    assert.throws(() => signUrlToken([], 'v1', 'acme'), { message: 'no webhook URL key configured' });
  });

  it('checks a token against the key its id names, not against any key that happens to fit', () => {
    const keys: UrlTokenKey[] = [
      { id: 'new', secret: 'new-secret-0123456789' },
      { id: 'old', secret: 'old-secret-0123456789' },
    ];
    const token = signUrlToken(keys, 'v1', 'acme');
    assert.ok(token.startsWith('new.'));
    assert.ok(urlTokenMatches(keys, token, 'v1', 'acme'));
    // The newest key's digest presented under the other key's id.
    assert.ok(!urlTokenMatches(keys, token.replace(/^new\./, 'old.'), 'v1', 'acme'));
    const oldDigest = createHmac('sha256', 'old-secret-0123456789')
      .update('floodgate-webhook-url:v1:v1:acme')
      .digest('base64url');
    assert.ok(urlTokenMatches(keys, `old.${oldDigest}`, 'v1', 'acme'), 'a rotated-out key still verifies');
    assert.ok(!urlTokenMatches(keys, token, 'v1', 'globex'));
  });
});
