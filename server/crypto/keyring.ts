import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export class KeyRingError extends Error {
  override readonly name = 'KeyRingError';
}

export interface Sealed {
  keyVersion: number;
  /** base64(iv | ciphertext | tag) */
  ciphertext: string;
}

/**
 * AES-256-GCM under a versioned key ring, newest key first. Old keys stay readable so
 * keys rotate without downtime; everything new is sealed under the newest key. The
 * associated data binds a ciphertext to its owner (platform, row), so a ciphertext
 * copied to another row does not open.
 */
export class KeyRing {
  private readonly keys: ReadonlyMap<number, Buffer>;
  readonly currentVersion: number;

  private constructor(entries: readonly (readonly [number, Buffer])[]) {
    if (entries.length === 0) throw new KeyRingError('the key ring is empty');
    this.keys = new Map(entries);
    if (this.keys.size !== entries.length) throw new KeyRingError('two keys share a version');
    this.currentVersion = entries[0]![0];
  }

  /** `"<version>:<base64 of 32 bytes>,…"`, newest first. */
  static parse(spec: string): KeyRing {
    const entries = spec
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((entry, i): [number, Buffer] => {
        const m = /^(\d{1,9}):([A-Za-z0-9+/_-]+={0,2})$/.exec(entry);
        if (!m) throw new KeyRingError(`key #${i + 1} is not of the form <version>:<base64 key>`);
        const key = Buffer.from(m[2]!, 'base64');
        if (key.length !== KEY_BYTES) throw new KeyRingError(`key version ${m[1]} is ${key.length} bytes, not ${KEY_BYTES}`);
        return [Number(m[1]), key];
      });
    return new KeyRing(entries);
  }

  static generateKey(version: number): string {
    return `${version}:${randomBytes(KEY_BYTES).toString('base64')}`;
  }

  get versions(): number[] {
    return [...this.keys.keys()];
  }

  has(version: number): boolean {
    return this.keys.has(version);
  }

  seal(plaintext: string, associatedData: string): Sealed {
    const key = this.keys.get(this.currentVersion)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      keyVersion: this.currentVersion,
      ciphertext: Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64'),
    };
  }

  open(sealed: Sealed, associatedData: string): string {
    const key = this.keys.get(sealed.keyVersion);
    if (!key) throw new KeyRingError(`no key with version ${sealed.keyVersion} in SM_ENCRYPTION_KEYS`);
    const raw = Buffer.from(sealed.ciphertext, 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new KeyRingError('ciphertext is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new KeyRingError('ciphertext does not authenticate (wrong key or associated data)');
    }
  }

  /** A sub-key for one purpose (e.g. the cache), so one master key never serves two uses. */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.keys.get(this.currentVersion)!, Buffer.alloc(0), purpose, KEY_BYTES));
  }
}
