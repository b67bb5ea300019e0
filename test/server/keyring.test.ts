import { describe, expect, it } from 'vitest';
import { KeyRing, KeyRingError } from '../../server/crypto/keyring.ts';

describe('KeyRing', () => {
  const v1 = KeyRing.generateKey(1);
  const v2 = KeyRing.generateKey(2);

  it('seals under the newest key and opens with the same associated data', () => {
    const ring = KeyRing.parse(`${v2},${v1}`);
    const sealed = ring.seal('canary-plaintext', 'connection:plt_a:con_1');
    expect(sealed.keyVersion).toBe(2);
    expect(Buffer.from(sealed.ciphertext, 'base64').toString('latin1')).not.toContain('canary-plaintext');
    expect(ring.open(sealed, 'connection:plt_a:con_1')).toBe('canary-plaintext');
  });

  it('never repeats a ciphertext for the same plaintext', () => {
    const ring = KeyRing.parse(v1);
    expect(ring.seal('x', 'a').ciphertext).not.toBe(ring.seal('x', 'a').ciphertext);
  });

  it('refuses a ciphertext moved to another owner or tampered with', () => {
    const ring = KeyRing.parse(v1);
    const sealed = ring.seal('secret', 'connection:plt_a:con_1');
    expect(() => ring.open(sealed, 'connection:plt_b:con_1')).toThrow(KeyRingError);
    const raw = Buffer.from(sealed.ciphertext, 'base64');
    raw[14] = raw[14]! ^ 1;
    expect(() => ring.open({ ...sealed, ciphertext: raw.toString('base64') }, 'connection:plt_a:con_1')).toThrow(KeyRingError);
  });

  it('opens old rows after a rotation and says which key is missing', () => {
    const old = KeyRing.parse(v1).seal('old', 'aad');
    expect(KeyRing.parse(`${v2},${v1}`).open(old, 'aad')).toBe('old');
    expect(() => KeyRing.parse(v2).open(old, 'aad')).toThrow(/no key with version 1/);
  });

  it('rejects malformed rings with a clear message', () => {
    expect(() => KeyRing.parse('')).toThrow(/empty/);
    expect(() => KeyRing.parse('abc')).toThrow(/form <version>:<base64 key>/);
    expect(() => KeyRing.parse(`1:${Buffer.alloc(16).toString('base64')}`)).toThrow(/16 bytes, not 32/);
    expect(() => KeyRing.parse(`${v1},${v1}`)).toThrow(/share a version/);
  });

  it('derives distinct sub-keys per purpose', () => {
    const ring = KeyRing.parse(v1);
    expect(ring.deriveKey('cache')).toHaveLength(32);
    expect(ring.deriveKey('cache').equals(ring.deriveKey('other'))).toBe(false);
  });
});
