import { describe, expect, it } from 'vitest';
import { OpenedEntries } from '../../../server/cache/opened-entries.ts';
import type { EntryAddress } from '../../../server/cache/store.ts';

const address = (key: string): EntryAddress => ({ platformId: 'plt_a', connectionId: 'con_1', key });

describe('OpenedEntries', () => {
  it('opens a ciphertext once while the store keeps returning it, and again when it changes', () => {
    const opened = new OpenedEntries(1024 * 1024);
    let hashes = 0;
    let opens = 0;
    const addressOf = () => opened.address('plt_a\0con_1\0secret/app', () => (hashes++, address('h1')));
    const open = (sealed: string) => opened.open('plt_a\0con_1\0secret/app', sealed, () => (opens++, { data: { value: `plain of ${sealed}` } }));

    expect(addressOf()).toEqual(address('h1'));
    expect(addressOf()).toEqual(address('h1'));
    expect(hashes).toBe(1);

    expect(open('sealed-v1')).toEqual({ data: { value: 'plain of sealed-v1' } });
    expect(open('sealed-v1')).toEqual({ data: { value: 'plain of sealed-v1' } });
    expect(opens).toBe(1);
    // A new value (rotation, a write after a clear) is another ciphertext: opened afresh.
    expect(open('sealed-v2')).toEqual({ data: { value: 'plain of sealed-v2' } });
    expect(open('sealed-v1')).toEqual({ data: { value: 'plain of sealed-v1' } });
    expect(opens).toBe(3);
  });

  it('remembers nothing for a ciphertext that does not open', () => {
    const opened = new OpenedEntries(1024 * 1024);
    opened.address('k', () => address('h'));
    let opens = 0;
    const open = () => opened.open('k', 'tampered', () => (opens++, undefined));
    expect(open()).toBeUndefined();
    expect(open()).toBeUndefined();
    expect(opens).toBe(2);
  });

  it('hands every hit the same frozen value, so no caller can change what the next one gets', () => {
    const opened = new OpenedEntries(1024 * 1024);
    opened.address('k', () => address('h'));
    const first = opened.open('k', 's', () => ({ data: { value: { nested: ['a'] } } }))!;
    expect(() => {
      (first.data.value.nested as string[]).push('b');
    }).toThrow(TypeError);
    expect(opened.open('k', 's', () => undefined)).toEqual({ data: { value: { nested: ['a'] } } });
  });

  it('stays within its byte budget, forgetting the least recently used entries first', () => {
    const opened = new OpenedEntries(2_000);
    const sealed = 'x'.repeat(300);
    let opens = 0;
    const read = (key: string) => {
      opened.address(key, () => address(key));
      return opened.open(key, sealed, () => (opens++, { data: key }));
    };
    for (const key of ['a', 'b', 'c']) read(key);
    expect(opens).toBe(3);
    read('a'); // a is now the most recently used
    expect(opens).toBe(3);
    read('d'); // over budget: b, the least recently used, goes
    read('a');
    read('c');
    expect(opens).toBe(4);
    read('b');
    expect(opens).toBe(5);
    // An entry larger than the whole budget is opened every time, never kept.
    const huge = 'y'.repeat(5_000);
    opened.address('big', () => address('big'));
    opened.open('big', huge, () => (opens++, { data: 'big' }));
    opened.open('big', huge, () => (opens++, { data: 'big' }));
    expect(opens).toBe(7);
  });
});
