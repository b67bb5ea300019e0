import type { z } from 'zod';

/** A regular expression as JSON: `new RegExp(source, flags)`. */
export interface PatternJson {
  source: string;
  flags: string;
}

/**
 * What the browser checks of a field before sending it. The elements do not bundle zod
 * (size budget), so `providers.list` carries these rules as JSON, read from each field's
 * own schema so the two cannot drift apart; `form-model.ts` applies them to the trimmed
 * text. Refinements and cross-field rules stay server checks, whose messages land on the
 * same fields.
 */
export interface FieldConstraints {
  minLength?: number;
  maxLength?: number;
  /** Every one must match. */
  patterns?: PatternJson[];
  /** The value is an absolute URL; its scheme, without ":", matches `protocol` when one is given. */
  url?: { protocol?: PatternJson };
  minimum?: number;
  maximum?: number;
  integer?: boolean;
}

type CheckDef = z.core.$ZodChecks['_zod']['def'] | z.core.$ZodURLDef | { check: 'custom' };

/** Wrappers that leave a sent value to the inner schema (`.catch()` is not one: it accepts anything). */
const PASS_THROUGH = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional']);

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  const def = schema._zod.def as { type: string; innerType?: z.core.$ZodType };
  return PASS_THROUGH.has(def.type) && def.innerType ? unwrap(def.innerType) : schema;
}

const asJson = (pattern: RegExp): PatternJson => ({ source: pattern.source, flags: pattern.flags });

/** `.trim()` is an overwrite check like `.toLowerCase()`: only what it does tells them apart. */
function isTrim(tx: (value: string) => unknown): boolean {
  try {
    return tx(' aB\t') === 'aB';
  } catch {
    return false;
  }
}

/**
 * The rules of `schema` a browser can apply to the trimmed text without zod. Checks run in
 * order on the value as it is by then: before a `.trim()` only the length maximum is safe
 * to check on trimmed text (trimming only shortens), and after any other rewrite
 * (`.toLowerCase()`…) nothing is, so those are left to the server.
 */
export function fieldConstraints(schema: z.core.$ZodType): FieldConstraints {
  const base = unwrap(schema);
  const { type, checks = [] } = base._zod.def;
  // A format schema such as z.url() is its own first check.
  const list: { _zod: { def: unknown } }[] = base._zod.traits.has('$ZodCheck') ? [base, ...checks] : checks;
  const out: FieldConstraints = {};
  let trimmed = type !== 'string';
  for (const check of list) {
    const def = check._zod.def as CheckDef;
    switch (def.check) {
      case 'overwrite':
        if (!isTrim(def.tx as (value: string) => unknown)) return out;
        trimmed = true;
        break;
      case 'max_length':
        out.maxLength = Math.min(out.maxLength ?? Infinity, def.maximum);
        break;
      case 'min_length':
        if (trimmed) out.minLength = Math.max(out.minLength ?? 0, def.minimum);
        break;
      case 'length_equals':
        out.maxLength = Math.min(out.maxLength ?? Infinity, def.length);
        if (trimmed) out.minLength = Math.max(out.minLength ?? 0, def.length);
        break;
      case 'string_format':
        if (def.format === 'url') {
          // zod trims a URL before parsing it and passes the trimmed text on.
          const { protocol } = def as z.core.$ZodURLDef;
          out.url = protocol ? { protocol: asJson(protocol) } : {};
          trimmed = true;
        } else if (trimmed && def.pattern) {
          (out.patterns ??= []).push(asJson(def.pattern));
        }
        break;
      // Exclusive bounds (.positive()…) stay server checks: they would need rules and messages of their own.
      case 'greater_than':
        if (def.inclusive && typeof def.value === 'number') out.minimum = Math.max(out.minimum ?? -Infinity, def.value);
        break;
      case 'less_than':
        if (def.inclusive && typeof def.value === 'number') out.maximum = Math.min(out.maximum ?? Infinity, def.value);
        break;
      case 'number_format':
        if (def.format.includes('int')) out.integer = true;
        break;
    }
  }
  return out;
}
