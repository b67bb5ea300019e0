import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatReference, hasBrokenReference, MAX_REFERENCE_LENGTH, parseReference, replaceFound, scanReferences } from '../../shared/reference.ts';

/**
 * The scanner against the pattern it replaced, kept here as the reference implementation:
 * same references at the same places, same verdict on broken ones. Seeded, so a failure
 * reproduces; SM_PROPERTY_RUNS raises the number of runs for a long local session
 * (`SM_PROPERTY_RUNS=200000 npx vitest run test/shared/reference.test.ts`).
 */
const SEED = 20_260_112;
const RUNS = Number(process.env.SM_PROPERTY_RUNS ?? 3000);
const PATTERN = /\{\{sm:([A-Za-z0-9_-]{1,64}):((?:(?!\}\}).){1,2048})\}\}/g;
const OPEN = '{{sm:';

const oracle = {
  references: (s: string) => [...s.matchAll(PATTERN)].map((m) => ({ start: m.index, text: m[0], connectionId: m[1]!, path: m[2]! })),
  broken: (s: string) => s.includes(OPEN) && s.replace(PATTERN, '').includes(OPEN),
  parse(s: string) {
    const matches = [...s.trim().matchAll(PATTERN)];
    return matches.length === 1 && matches[0]![0] === s.trim() ? { connectionId: matches[0]![1], path: matches[0]![2] } : undefined;
  },
};

/** Strings made of the pieces the syntax turns on, with lengths around its limits, and anything else. */
const piece = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(OPEN, '{{', '{', '}', '}}', '}}}', ':', 'sm', 's', 'm:', 'con_1', 'a', '-', '_', '#key', '@2', '/', ' ', '\n', '\r', '\u2028', '\u2029', '{{sm:c:', '{{sm:c:p}}', '{{sm::p}}', '{{sm:c:}}') },
  { weight: 1, arbitrary: fc.integer({ min: 2030, max: 2060 }).map((n) => 'p'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 60, max: 68 }).map((n) => 'i'.repeat(n)) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
);
const text = fc.array(piece, { maxLength: 24 }).map((pieces) => pieces.join(''));

describe('the reference scanner', () => {
  it('accepts exactly what the pattern accepted', () => {
    const id64 = 'i'.repeat(64);
    const cases: [string, string[]][] = [
      ['{{sm:con_1:secret/app/db#password}}', ['{{sm:con_1:secret/app/db#password}}']],
      ['Bearer {{sm:a:x}} and {{sm:b:y@2}}.', ['{{sm:a:x}}', '{{sm:b:y@2}}']],
      ['{{sm:a:x}}}', ['{{sm:a:x}}']],
      ['{{sm:a:{{sm:b:c}}', ['{{sm:a:{{sm:b:c}}']],
      [`{{sm:${id64}:p}}`, [`{{sm:${id64}:p}}`]],
      [`{{sm:${id64}i:p}}`, []],
      [`{{sm:a:${'p'.repeat(2048)}}}`, [`{{sm:a:${'p'.repeat(2048)}}}`]],
      [`{{sm:a:${'p'.repeat(2049)}}}`, []],
      ['{{sm:a:line\nbreak}}', []],
      ['{{sm:a:}}', []],
      ['{{sm::p}}', []],
      ['{{sm:a:x} }', []],
    ];
    for (const [input, expected] of cases) expect(scanReferences(input).references.map((r) => r.text), input.slice(0, 80)).toEqual(expected);
  });

  it('finds the same references as the pattern, and the same broken ones', () => {
    fc.assert(
      fc.property(text, (s) => {
        const scan = scanReferences(s);
        expect(scan.references.map(({ start, text, connectionId, path }) => ({ start, text, connectionId, path }))).toEqual(oracle.references(s));
        expect(scan.broken !== undefined).toBe(oracle.broken(s));
        if (scan.broken !== undefined) {
          // What is shown of a broken reference: its opener onwards, from the text left once the references are out, bounded.
          expect(scan.broken.startsWith(OPEN)).toBe(true);
          expect(scan.broken.length).toBeLessThanOrEqual(MAX_REFERENCE_LENGTH);
          expect(s.replace(PATTERN, '')).toContain(scan.broken);
        }
        expect(replaceFound(s, scan.references, (r) => `<${r.path}>`)).toBe(s.replace(PATTERN, (_, _id, path: string) => `<${path}>`));
        expect(parseReference(s)).toEqual(oracle.parse(s));
        expect(hasBrokenReference(s)).toBe(oracle.broken(s));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('reads back every reference it formats whose path holds no "}}" nor a line break', () => {
    const path = fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }).filter((p) => !/\}\}|[\n\r\u2028\u2029]/.test(p) && !p.endsWith('}') && p.trim() === p);
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), path, (connectionId, p) => {
        expect(parseReference(formatReference({ connectionId, path: p }))).toEqual({ connectionId, path: p });
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('stops at the first reference past the limit', () => {
    const three = '{{sm:a:1}} {{sm:a:2}} {{sm:a:3}}';
    expect(scanReferences(three, 3)?.references).toHaveLength(3);
    expect(scanReferences(three, 2)).toBeUndefined();
  });
});

/**
 * Counts the characters the scanner reads (every String method it could read them with)
 * and fails on any regular expression, while `run` runs.
 */
function countReads(run: () => void): number {
  const proto = String.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = { charCodeAt: proto['charCodeAt']!, indexOf: proto['indexOf']!, startsWith: proto['startsWith']!, slice: proto['slice']!, includes: proto['includes']! };
  let reads = 0;
  const span = (self: string, from: unknown, found: number, length: number) => {
    const start = Math.max(0, Number(from ?? 0));
    return (found === -1 ? self.length : found + length) - start;
  };
  const counted = {
    charCodeAt(this: string, i: unknown) {
      reads += 1;
      return originals.charCodeAt.call(this, i);
    },
    indexOf(this: string, needle: string, from?: number) {
      const found = originals.indexOf.call(this, needle, from) as number;
      reads += span(this, from, found, needle.length);
      return found;
    },
    includes(this: string, needle: string, from?: number) {
      const found = originals.indexOf.call(this, needle, from) as number;
      reads += span(this, from, found, needle.length);
      return found !== -1;
    },
    startsWith(this: string, needle: string, at?: number) {
      reads += needle.length;
      return originals.startsWith.call(this, needle, at);
    },
    slice(this: string, start?: number, end?: number) {
      const out = originals.slice.call(this, start, end) as string;
      reads += out.length;
      return out;
    },
  };
  const regexp = RegExp.prototype as unknown as Record<symbol | string, unknown>;
  const regexpOriginals = { exec: regexp['exec'], match: regexp[Symbol.match], replace: regexp[Symbol.replace], matchAll: regexp[Symbol.matchAll] };
  const refuse = () => {
    throw new Error('the scanner used a regular expression');
  };
  Object.assign(proto, counted);
  Object.assign(regexp, { exec: refuse, [Symbol.match]: refuse, [Symbol.replace]: refuse, [Symbol.matchAll]: refuse });
  try {
    run();
  } finally {
    Object.assign(proto, originals);
    Object.assign(regexp, { exec: regexpOriginals.exec, [Symbol.match]: regexpOriginals.match, [Symbol.replace]: regexpOriginals.replace, [Symbol.matchAll]: regexpOriginals.matchAll });
  }
  return reads;
}

describe('scanning time', () => {
  const MiB = 1024 * 1024;
  const fill = (unit: string, length: number) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
  const adversarial: Record<string, (n: number) => string> = {
    'openers ({{sm:a: repeated)': (n) => fill('{{sm:a:', n),
    'openers closed once at the end': (n) => `${fill('{{sm:a:', n - 2)}}}`,
    'braces ({{ repeated)': (n) => fill('{{', n),
    'one long path': (n) => `{{sm:a:${'p'.repeat(n - 9)}}}`,
    'unclosed references': (n) => fill('{{sm:con_1:secret/app ', n),
    'nested braces': (n) => fill('{{sm:a:{{sm:b:{{}}}}', n),
    'ids one too long': (n) => fill(`{{sm:${'i'.repeat(65)}:p}}`, n),
    'paths broken by a line break': (n) => fill(`{{sm:a:${'p'.repeat(100)}\n}}`, n),
    'paths one too long': (n) => fill(`{{sm:a:${'p'.repeat(2049)}}}`, n),
    'valid references': (n) => fill('{{sm:con_1:secret/x}} ', n),
  };

  // Not a clock: the characters read. A scan that backtracked (or rescanned per opener) reads
  // thousands of times the input; a linear one a small multiple, the same for n and 2n.
  for (const [name, make] of Object.entries(adversarial)) {
    it(`reads a 1 MiB string of ${name} a bounded number of times per character`, () => {
      const [small, large] = [make(MiB / 2), make(MiB)];
      const readsSmall = countReads(() => scanReferences(small));
      const readsLarge = countReads(() => scanReferences(large));
      expect(readsLarge).toBeLessThanOrEqual(4 * large.length);
      expect(readsLarge).toBeLessThanOrEqual(2.1 * readsSmall + MAX_REFERENCE_LENGTH);
    });
  }

  it('finds out that a string holds too many references without reading the rest', () => {
    const unit = '{{sm:con_1:secret/x}} ';
    const many = fill(unit, MiB);
    let scan: unknown;
    expect(countReads(() => (scan = scanReferences(many, 1000)))).toBeLessThan(4 * 1001 * unit.length);
    expect(scan).toBeUndefined();
  });
});
