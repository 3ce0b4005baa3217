/**
 * Every byte string under which a secret could sit in stored bytes: as text (UTF-8, UTF-16),
 * hex, and base64 / base64url at each of the three alignments it can take inside a longer
 * encoded buffer; for a secret that is itself base64url (a reset token), the same for the raw
 * bytes it stands for. A search for all of them finds the secret however it was serialised.
 */
export function secretEncodings(secret: string): Buffer[] {
  const forms = [Buffer.from(secret, 'utf8')];
  if (/^[\w-]+$/.test(secret)) {
    const raw = Buffer.from(secret, 'base64url');
    // Decoding drops what is not base64url; only a faithful round trip is the secret's bytes.
    if (raw.length >= 8 && raw.toString('base64url') === secret) forms.push(raw);
  }
  const needles: Buffer[] = [Buffer.from(secret, 'utf16le')];
  for (const bytes of forms) {
    needles.push(bytes);
    for (const hex of [bytes.toString('hex'), bytes.toString('hex').toUpperCase()])
      needles.push(Buffer.from(hex));
    for (const form of ['base64', 'base64url'] as const) {
      for (let offset = 0; offset < 3; offset += 1)
        needles.push(Buffer.from(alignedBase64(bytes, offset, form)));
    }
  }
  return needles.filter((n) => n.length >= 8);
}

/**
 * The characters of `bytes` encoded after `offset` other bytes that depend on `bytes` alone:
 * what shows in any base64 text that holds them at that offset.
 */
function alignedBase64(bytes: Buffer, offset: number, form: 'base64' | 'base64url'): string {
  const text = Buffer.concat([Buffer.alloc(offset), bytes])
    .toString(form)
    .replace(/=+$/, '');
  const first = Math.ceil((offset * 8) / 6);
  const last = Math.floor(((offset + bytes.length) * 8) / 6);
  return text.slice(first, last);
}

/** True if any of `needles` occurs in any of `haystacks`. */
export function containsAny(haystacks: Uint8Array[], needles: Buffer[]): boolean {
  return haystacks.some((h) => needles.some((n) => Buffer.from(h).includes(n)));
}
