import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import fc from 'fast-check';
import { EncryptionCodec } from '../../../src/temporal/encryption-codec.js';

const key = { id: 'k1', key: randomBytes(32) };
const codec = new EncryptionCodec([key]);

/** Any payload Temporal could hand the codec: arbitrary metadata and data bytes. */
const payload: fc.Arbitrary<Payload> = fc.record({
  metadata: fc.dictionary(fc.stringMatching(/^[a-z-]{1,16}$/), fc.uint8Array({ maxLength: 32 }), {
    maxKeys: 4,
  }),
  data: fc.uint8Array({ maxLength: 1024 }),
});

/** Payload fields as plain bytes, so Buffer and Uint8Array compare equal. */
function normal(p: Payload) {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, Buffer.from(v).toString('hex')]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('hex'),
  };
}

describe('payload codec (properties)', () => {
  it('decode(encode(p)) is p, for any payloads', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(payload, { maxLength: 4 }), async (payloads) => {
        const decoded = await codec.decode(await codec.encode(payloads));
        assert.deepEqual(decoded.map(normal), payloads.map(normal));
      }),
    );
  });

  it('another key under the same id rejects the ciphertext', async () => {
    const impostor = new EncryptionCodec([{ id: 'k1', key: randomBytes(32) }]);
    await fc.assert(
      fc.asyncProperty(payload, async (p) => {
        const [sealed] = await codec.encode([p]);
        await assert.rejects(impostor.decode([sealed!]));
      }),
      { numRuns: 50 },
    );
  });

  it('any single-byte change of the ciphertext is rejected', async () => {
    await fc.assert(
      fc.asyncProperty(payload, fc.nat(), fc.integer({ min: 1, max: 255 }), async (p, at, xor) => {
        const [sealed] = await codec.encode([p]);
        const data = Buffer.from(sealed!.data!);
        data[at % data.length] = data[at % data.length]! ^ xor;
        await assert.rejects(codec.decode([{ ...sealed!, data }]));
      }),
    );
  });
});
