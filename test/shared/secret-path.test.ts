import { describe, expect, it } from 'vitest';
import { parseProviderPath } from '../../shared/providers/index.ts';
import { formatSecretPath, parseSecretPath } from '../../shared/secret-path.ts';

describe('parseSecretPath', () => {
  it.each([
    ['app/db', { name: 'app/db' }],
    ['app/db@3', { name: 'app/db', version: '3' }],
    ['app/db#password', { name: 'app/db', key: 'password' }],
    ['app/db@AWSPREVIOUS#a.b', { name: 'app/db', version: 'AWSPREVIOUS', key: 'a.b' }],
    ['arn:aws:secretsmanager:us-east-1:1:secret:x-AbCd#k', { name: 'arn:aws:secretsmanager:us-east-1:1:secret:x-AbCd', key: 'k' }],
    ['  padded  ', { name: 'padded' }],
  ])('%s', (input, path) => {
    const result = parseSecretPath(input);
    expect(result).toEqual({ ok: true, path });
    if (result.ok) expect(formatSecretPath(result.path)).toBe(input.trim());
  });

  it.each([
    ['', /empty/],
    ['@1', /name before @ or # is empty/],
    ['a@', /version after @ is empty/],
    ['a#', /key after # is empty/],
    ['a#b..c', /empty segment/],
    ['a\u0000b', /control characters/],
    ['x'.repeat(2049), /longer than 2048/],
  ])('rejects %j', (input, message) => {
    const result = parseSecretPath(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});

describe('Vault path rule', () => {
  it('normalises slashes and accepts mount/path', () => {
    expect(parseProviderPath('vault', '/secret/app/db/#password')).toEqual({ ok: true, path: { name: 'secret/app/db', key: 'password' } });
  });
  it.each([
    ['secret', /mount and the secret path/],
    ['secret//db', /empty, "." or ".." segment/],
    ['secret/../db', /empty, "." or ".." segment/],
    ['secret/db@latest', /positive number/],
  ])('rejects %j with the expected form', (input, message) => {
    const result = parseProviderPath('vault', input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});
