import type { z } from 'zod';
import type { NativePathRule, PathSyntax } from '../secret-path.ts';

/** What the shared code knows of a provider: its forms and path rules, no SDK. */
export interface ProviderDescriptor<Id extends string = string> {
  id: Id;
  name: string;
  description: string;
  docsUrl: string;
  /** Auth method id → its label and config schema (fields carry form metadata, see `field()`). */
  authMethods: Record<string, { label: string; schema: z.ZodObject }>;
  pathSyntax: PathSyntax;
  pathRule: NativePathRule;
}
