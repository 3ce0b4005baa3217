import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
// @temporalio/proto is CommonJS: a default import works under plain ESM as well as tsx/mocha.
import proto from '@temporalio/proto';

const { temporal } = proto;

const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface EncryptionKey {
  id: string;
  /** 32 bytes for AES-256-GCM. */
  key: Buffer;
}

/**
 * Encrypts every payload (workflow inputs, results, signals, activity arguments…) with
 * AES-256-GCM before it reaches Temporal, so email addresses and other personal data are not
 * stored in plaintext in workflow history. The first key encrypts; every listed key decrypts,
 * so keys rotate by adding a new one in front and dropping the old one once no run needs it.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;

  /**
   * `requireEncrypted`: a payload without this codec's encoding fails to decode (production), so
   * plaintext written by anything else never reaches a workflow, an activity or the API; off, it
   * passes through unchanged (runs written before encryption still read).
   */
  constructor(
    private readonly keys: EncryptionKey[],
    private readonly opts: { requireEncrypted?: boolean } = {},
  ) {
    if (keys.length === 0) throw new Error('EncryptionCodec needs at least one key');
    for (const { id, key } of keys) {
      if (key.length !== 32) throw new Error(`encryption key "${id}" must be 32 bytes, got ${key.length}`);
    }
    this.byId = new Map(keys.map(({ id, key }) => [id, key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keys[0]!;
    return payloads.map((payload) => ({
      metadata: { [METADATA_ENCODING_KEY]: encoder.encode(ENCODING), [KEY_ID]: encoder.encode(id) },
      data: encrypt(temporal.api.common.v1.Payload.encode(payload).finish(), key),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || decoder.decode(encoding) !== ENCODING) {
        if (this.opts.requireEncrypted)
          throw new UnencryptedPayloadError(encoding && decoder.decode(encoding));
        return payload;
      }
      const idBytes = payload.metadata?.[KEY_ID];
      const id = idBytes ? decoder.decode(idBytes) : '';
      const key = this.byId.get(id);
      if (!key) throw new Error(`no decryption key with id "${id}" (PAYLOAD_ENCRYPTION_KEYS)`);
      if (!payload.data) throw new Error('encrypted payload without data');
      return temporal.api.common.v1.Payload.decode(decrypt(payload.data, key));
    });
  }
}

/** A payload arrived without encryption where encryption is required (PAYLOAD_REQUIRE_ENCRYPTION). */
export class UnencryptedPayloadError extends Error {
  constructor(encoding: string | undefined) {
    super(
      `refusing an unencrypted payload (encoding "${encoding ?? 'none'}", expected "${ENCODING}"): ` +
        'PAYLOAD_REQUIRE_ENCRYPTION is on, so only payloads written with PAYLOAD_ENCRYPTION_KEYS are read',
    );
    this.name = 'UnencryptedPayloadError';
  }
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

function encrypt(plain: Uint8Array, key: Buffer): Uint8Array {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

function decrypt(sealed: Uint8Array, key: Buffer): Uint8Array {
  const buf = Buffer.from(sealed);
  const iv = buf.subarray(0, IV_BYTES);
  const tag = buf.subarray(buf.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(buf.subarray(IV_BYTES, buf.length - TAG_BYTES)), decipher.final()]);
}

/** `id:base64key,id2:base64key` → keys, first one active. */
export function parseEncryptionKeys(spec: string[]): EncryptionKey[] {
  return spec.map((entry) => {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new Error(`"${entry.slice(0, 8)}…" is not id:base64key`);
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.length !== 32)
      throw new Error(`key "${entry.slice(0, colon)}" must decode to 32 bytes, got ${key.length}`);
    return { id: entry.slice(0, colon), key };
  });
}
