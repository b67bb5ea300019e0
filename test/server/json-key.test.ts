import { describe, expect, it } from 'vitest';
import { SecretManagerError } from '../../server/errors.ts';
import { selectValue } from '../../server/providers/json-key.ts';

describe('selectValue', () => {
  it('returns a plain string as is, without keys', () => {
    expect(selectValue('hunter2', undefined)).toEqual({ value: 'hunter2' });
  });
  it('returns the whole JSON text of a JSON string secret, with its keys', () => {
    expect(selectValue('{"a":1,"b":"x"}', undefined, '7')).toEqual({ value: '{"a":1,"b":"x"}', keys: ['a', 'b'], version: '7' });
  });
  it('returns the only field of a one-field map', () => {
    expect(selectValue({ token: 'abc' }, undefined).value).toBe('abc');
  });
  it('returns a map with several fields as JSON', () => {
    expect(JSON.parse(selectValue({ u: 'a', p: 'b' }, undefined).value)).toEqual({ u: 'a', p: 'b' });
  });
  it('picks literal keys first, then dotted paths, and stringifies non-strings', () => {
    const entry = { 'a.b': 'literal', a: { b: 'nested', n: 5, arr: ['x', 'y'] } };
    expect(selectValue(entry, 'a.b').value).toBe('literal');
    expect(selectValue(entry, 'a.n').value).toBe('5');
    expect(selectValue(entry, 'a.arr.1').value).toBe('y');
    expect(selectValue(entry, 'a').value).toBe(JSON.stringify(entry.a));
  });
  it('fails with KEY_NOT_FOUND naming the available keys, never values', () => {
    const error = (() => {
      try {
        selectValue({ user: 'canary-value-1', pass: 'canary-value-2' }, 'password');
      } catch (e) {
        return e as SecretManagerError;
      }
    })()!;
    expect(error.code).toBe('KEY_NOT_FOUND');
    expect(error.message).toContain('user, pass');
    expect(error.message).not.toContain('canary');
  });
  it('explains that a non-JSON secret has no keys', () => {
    expect(() => selectValue('plain-canary', 'k')).toThrow(/not a JSON object/);
    expect(() => selectValue('plain-canary', 'k')).not.toThrow(/plain-canary/);
  });
});
