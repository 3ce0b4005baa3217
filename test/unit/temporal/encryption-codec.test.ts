import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec, parseEncryptionKeys } from '../../../src/temporal/encryption-codec.js';

describe('EncryptionCodec', () => {
  const oldKey = { id: 'k1', key: randomBytes(32) };
  const newKey = { id: 'k2', key: randomBytes(32) };
  const payload = defaultPayloadConverter.toPayload({ email: 'ada@example.com', userId: 'u-1' });

  it('round-trips a payload and leaves no plaintext in the encoded bytes', async () => {
    const codec = new EncryptionCodec([oldKey]);
    const [encoded] = await codec.encode([payload]);
    assert.ok(!Buffer.from(encoded!.data!).toString('latin1').includes('ada@example.com'));
    const [decoded] = await codec.decode([encoded!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded!), {
      email: 'ada@example.com',
      userId: 'u-1',
    });
  });

  it('encrypts with the first key and still decrypts what older keys encrypted (rotation)', async () => {
    const [sealedWithOld] = await new EncryptionCodec([oldKey]).encode([payload]);
    const rotated = new EncryptionCodec([newKey, oldKey]);
    const [sealedWithNew] = await rotated.encode([payload]);
    assert.equal(Buffer.from(sealedWithNew!.metadata!['encryption-key-id']!).toString(), 'k2');
    const decoded = await rotated.decode([sealedWithOld!, sealedWithNew!]);
    assert.equal(decoded.length, 2);
    for (const p of decoded)
      assert.equal(defaultPayloadConverter.fromPayload<{ userId: string }>(p).userId, 'u-1');
  });

  it('refuses a payload whose key was dropped, and a tampered one', async () => {
    const [sealed] = await new EncryptionCodec([oldKey]).encode([payload]);
    await assert.rejects(new EncryptionCodec([newKey]).decode([sealed!]), /no decryption key with id "k1"/);
    const tampered = { ...sealed!, data: Buffer.from(sealed!.data!) };
    tampered.data[20] = tampered.data[20]! ^ 0xff;
    await assert.rejects(new EncryptionCodec([oldKey]).decode([tampered]));
  });

  it('passes through payloads that were never encrypted', async () => {
    const [decoded] = await new EncryptionCodec([oldKey]).decode([payload]);
    assert.deepEqual(decoded, payload);
  });

  it('with requireEncrypted, refuses a payload that was never encrypted, naming its encoding', async () => {
    const strict = new EncryptionCodec([oldKey], { requireEncrypted: true });
    await assert.rejects(
      strict.decode([payload]),
      /refusing an unencrypted payload \(encoding "json\/plain"/,
    );
    const [encoded] = await strict.encode([payload]);
    const [decoded] = await strict.decode([encoded!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded!), {
      email: 'ada@example.com',
      userId: 'u-1',
    });
  });

  it('parses id:base64 key lists and names a bad entry', () => {
    const keys = parseEncryptionKeys([`a:${randomBytes(32).toString('base64')}`]);
    assert.equal(keys[0]!.id, 'a');
    assert.throws(() => parseEncryptionKeys(['nocolon']), /id:base64key/);
    assert.throws(() => parseEncryptionKeys([`b:${randomBytes(16).toString('base64')}`]), /32 bytes/);
  });
});
