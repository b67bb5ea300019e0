import type { EntryAddress } from './store.ts';

interface Opened {
  address: EntryAddress;
  /** The ciphertext last read for this entry, and what it opened to. */
  sealed?: string;
  envelope?: unknown;
  bytes: number;
}

/**
 * What recently read entries opened to, so a hot read that gets the very same ciphertext
 * back from the store skips AES-GCM (≈ 15 µs in Node, most of a cache hit's own cost) and
 * the address hash. The store still answers every read: a clear, an expiry or a new value
 * is a different answer and is opened afresh. Holding plaintext here adds no exposure —
 * this process also holds the key that opens every entry. Bounded by bytes, oldest out first.
 */
export class OpenedEntries {
  private readonly entries = new Map<string, Opened>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** The entry's address, computed once per logical key while it stays here. */
  address(logicalKey: string, compute: () => EntryAddress): EntryAddress {
    const known = this.entries.get(logicalKey);
    if (known) {
      // Map order is insertion order: re-inserting makes this the most recently used.
      this.entries.delete(logicalKey);
      this.entries.set(logicalKey, known);
      return known.address;
    }
    const address = compute();
    this.remember(logicalKey, { address, bytes: logicalKey.length + address.key.length });
    return address;
  }

  /** What `sealed` opened to last time, when the store returned the same ciphertext. */
  open<T>(logicalKey: string, sealed: string, open: () => T | undefined): T | undefined {
    const known = this.entries.get(logicalKey);
    if (known?.sealed === sealed) return known.envelope as T;
    const envelope = open();
    if (known && envelope !== undefined) {
      // Every later hit shares this object: frozen, so no caller can change what the next one gets.
      deepFreeze(envelope);
      this.remember(logicalKey, { address: known.address, sealed, envelope, bytes: logicalKey.length + known.address.key.length + 2 * sealed.length });
    }
    return envelope;
  }

  private remember(logicalKey: string, opened: Opened): void {
    const previous = this.entries.get(logicalKey);
    if (previous) {
      this.bytes -= previous.bytes;
      this.entries.delete(logicalKey);
    }
    if (opened.bytes > this.maxBytes) return;
    this.entries.set(logicalKey, opened);
    this.bytes += opened.bytes;
    for (const [key, oldest] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(key);
      this.bytes -= oldest.bytes;
    }
  }
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}
