import { parseReference, replaceFound, scanReferences, type FoundReference, type SecretReference } from '../../shared/reference.ts';
import type { ResolveBounds } from '../config.ts';
import { fieldIssues, ValidationError } from './validation-error.ts';

/** One reference a call resolves: as written, and what it names. */
export interface CallReference {
  /** As written; for a broken reference in `value`, its opener onwards (bounded). */
  text: string;
  /** Undefined when it names nothing: an entry of `references` that is no reference, a broken one. */
  target: SecretReference | undefined;
}

/** A string of `value` that holds references (or a broken one), scanned once. */
interface ScannedString {
  found: FoundReference[];
  /** The call reference of each of `found`, in the same order. */
  references: CallReference[];
  broken: CallReference | undefined;
}

/**
 * A resolve call's input, read once within its bounds: every string of `value` is scanned
 * once, and resolving, replacing and the audit trail all use that scan.
 */
export interface CallInput {
  /** Distinct, first seen first: those of `references`, then those of `value`. */
  references: CallReference[];
  /** One per entry of `references`, in order. */
  entries: CallReference[];
  /** Strings of `value` that hold `{{sm:`, by their text. */
  strings: Map<string, ScannedString>;
}

type Bounds = Pick<ResolveBounds, 'maxReferences' | 'maxValueDepth' | 'maxValueStrings' | 'maxValueChars'>;

const refuse = (field: 'references' | 'value', message: string) => new ValidationError(fieldIssues([{ path: [field], message }]));

const tooManyReferences = (field: 'references' | 'value', max: number) =>
  refuse(
    field,
    `A call resolves at most ${max} references (SM_MAX_REFERENCES_PER_CALL), counting each entry of references and each reference written in value: split it into several calls.`,
  );

/**
 * Reads `references` and `value` within `bounds`, before anything is fetched; a call over
 * any of them is refused whole (a ValidationError naming the bound). Every entry of
 * `references` and every reference written in `value` counts, a broken one too.
 */
export function readCallInput(input: { references?: readonly string[] | undefined; value?: unknown }, bounds: Bounds): CallInput {
  const distinct = new Map<string, CallReference>();
  // Apart: what is shown of a broken reference may read like a well-formed one (`{{s{{sm:c:p}}m:c:q}}`).
  const broken = new Map<string, CallReference>();
  const add = (text: string, target: SecretReference | undefined, into = distinct) => {
    let reference = into.get(text);
    if (!reference) into.set(text, (reference = { text, target }));
    return reference;
  };

  const given = input.references ?? [];
  if (given.length > bounds.maxReferences) throw tooManyReferences('references', bounds.maxReferences);
  const entries = given.map((entry) => add(entry, parseReference(entry)));
  const strings = new Map<string, ScannedString>();

  let counted = entries.length;
  let stringCount = 0;
  let charCount = 0;
  const scan = (text: string) => {
    if (++stringCount > bounds.maxValueStrings) throw refuse('value', `value holds more than ${bounds.maxValueStrings} strings (SM_MAX_VALUE_STRINGS).`);
    charCount += text.length;
    if (charCount > bounds.maxValueChars) throw refuse('value', `The strings of value hold more than ${bounds.maxValueChars} characters in all (SM_MAX_VALUE_CHARS).`);
    const known = strings.get(text);
    if (known) {
      counted += known.references.length + (known.broken ? 1 : 0);
    } else {
      const scanned = scanReferences(text, bounds.maxReferences - counted);
      if (!scanned) throw tooManyReferences('value', bounds.maxReferences);
      counted += scanned.references.length + (scanned.broken === undefined ? 0 : 1);
      if (scanned.references.length > 0 || scanned.broken !== undefined) {
        strings.set(text, {
          found: scanned.references,
          references: scanned.references.map((r) => add(r.text, { connectionId: r.connectionId, path: r.path })),
          broken: scanned.broken === undefined ? undefined : add(scanned.broken, undefined, broken),
        });
      }
    }
    if (counted > bounds.maxReferences) throw tooManyReferences('value', bounds.maxReferences);
  };
  const walk = (node: unknown, depth: number): void => {
    if (depth > bounds.maxValueDepth) throw refuse('value', `value is nested more than ${bounds.maxValueDepth} levels deep (SM_MAX_VALUE_DEPTH).`);
    if (typeof node === 'string') scan(node);
    else if (Array.isArray(node)) for (const n of node) walk(n, depth + 1);
    else if (node && typeof node === 'object') for (const n of Object.values(node)) walk(n, depth + 1);
  };
  walk(input.value, 0);
  return { references: [...distinct.values(), ...broken.values()], entries, strings };
}

/**
 * `value` with every reference replaced by `valueOf(reference)`. A string with a reference
 * that did not resolve (undefined), or with a broken one, becomes null: never the literal.
 */
export function replaceInValue(node: unknown, call: CallInput, valueOf: (reference: CallReference) => string | undefined): unknown {
  if (typeof node === 'string') {
    const scanned = call.strings.get(node);
    if (!scanned) return node;
    if (scanned.broken) return null;
    let failed = false;
    const replaced = replaceFound(node, scanned.found, (_, i) => {
      const value = valueOf(scanned.references[i]!);
      if (value === undefined) failed = true;
      return value ?? '';
    });
    return failed ? null : replaced;
  }
  if (Array.isArray(node)) return node.map((n) => replaceInValue(n, call, valueOf));
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, replaceInValue(v, call, valueOf)]));
  return node;
}
