import { z } from 'zod';
import { fieldConstraints, type FieldConstraints } from './field-constraints.ts';

export type { FieldConstraints, PatternJson } from './field-constraints.ts';

/**
 * Provider config forms are generated from the same zod schemas that validate them:
 * each field's schema carries its form metadata (`field()`), and `describeFields()`
 * turns an object schema into the list `providers.list` returns.
 */
export type FieldKind = 'text' | 'secret' | 'textarea' | 'select' | 'boolean' | 'number';

export interface FieldOption {
  value: string | number;
  label: string;
}

export interface FieldMeta {
  label: string;
  kind: FieldKind;
  placeholder?: string;
  help?: string;
  options?: FieldOption[];
  /** Shown in an "Advanced" section of the form. */
  advanced?: boolean;
  /** A credential: write-only, masked, never returned. Implied by kind `secret`. */
  secret?: boolean;
  /**
   * Decides where credentials are sent or who may receive them: an address, an authority,
   * a namespace or auth mount, a trusted CA. Stored credentials stay bound to these: an edit
   * that changes one must carry every credential again (CREDENTIALS_REQUIRED), or a stored
   * token could be aimed at a listener of the editor's choosing.
   */
  destination?: boolean;
  /** The provider's own documentation of this setting, linked next to the help text. */
  docsUrl?: string;
}

export interface FieldDescription extends FieldMeta {
  name: string;
  required: boolean;
  secret: boolean;
  destination: boolean;
  /** Rules derived from the schema, for checking input before it is sent; absent when there are none. */
  constraints?: FieldConstraints;
}

const fieldMeta = z.registry<FieldMeta>();

export function field<T extends z.ZodType>(schema: T, meta: FieldMeta): T {
  fieldMeta.add(schema, meta);
  return schema;
}

export function describeFields(schema: z.ZodObject): FieldDescription[] {
  return Object.entries(schema.shape).map(([name, fieldSchema]) => {
    const meta = fieldMeta.get(fieldSchema as z.ZodType);
    if (!meta) throw new Error(`Field ${name} has no form metadata`);
    const required = !(fieldSchema as z.ZodType).safeParse(undefined).success;
    const constraints = fieldConstraints(fieldSchema as z.ZodType);
    return {
      name,
      ...meta,
      required,
      secret: meta.kind === 'secret' || meta.secret === true,
      destination: meta.destination === true,
      ...(Object.keys(constraints).length > 0 && { constraints }),
    };
  });
}

/** Names of the fields of `schema` whose values are credentials (never returned to clients). */
export function secretFieldNames(schema: z.ZodObject): string[] {
  return describeFields(schema)
    .filter((f) => f.secret)
    .map((f) => f.name);
}
