import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldConstraints } from '../../shared/field-constraints.ts';
import { describeFields, field } from '../../shared/fields.ts';
import { providerDescriptors, providerIds } from '../../shared/providers/index.ts';

const re = (pattern: RegExp) => ({ source: pattern.source, flags: pattern.flags });

describe('fieldConstraints', () => {
  it.each<[string, z.ZodType, ReturnType<typeof fieldConstraints>]>([
    ['lengths after a trim', z.string().trim().min(2).max(10), { minLength: 2, maxLength: 10 }],
    ['the tightest of several', z.string().trim().max(10).max(5).length(4), { minLength: 4, maxLength: 4 }],
    ['a regex, flags kept', z.string().trim().regex(/^[a-f]+$/i), { patterns: [re(/^[a-f]+$/i)] }],
    ['a string format after a trim', z.string().trim().startsWith('arn:'), { patterns: [re(/^arn:.*/)] }],
    ['a URL and its protocol', z.url({ protocol: /^https$/ }), { url: { protocol: re(/^https$/) } }],
    ['a URL, then checks on the trimmed text', z.url().regex(/^https:\/\/[^/]+$/), { url: {}, patterns: [re(/^https:\/\/[^/]+$/)] }],
    ['through optional and default', z.string().trim().max(3).optional().default('a'), { maxLength: 3 }],
    ['numbers', z.int().min(1).max(65535), { integer: true, minimum: 1, maximum: 65535 }],
    ['not exclusive bounds', z.number().positive().lt(10), {}],
    ['not refinements', z.string().trim().refine((v) => v !== 'x'), {}],
    ['not what .catch() lets through', z.string().trim().max(3).catch('a'), {}],
    ['only the maximum before a trim', z.string().min(2).regex(/^a/).max(9).trim(), { maxLength: 9 }],
    ['nothing after another rewrite', z.string().trim().max(9).toLowerCase().regex(/^[a-z]+$/), { maxLength: 9 }],
  ])('%s', (_, schema, expected) => {
    expect(fieldConstraints(schema)).toEqual(expected);
  });

  it('lets describeFields leave out empty constraints and pass docsUrl through', () => {
    const schema = z.object({
      host: field(z.string().trim().max(5), { label: 'Host', kind: 'text', docsUrl: 'https://example.com/host' }),
      enabled: field(z.boolean().optional(), { label: 'Enabled', kind: 'boolean' }),
    });
    const [host, enabled] = describeFields(schema);
    expect(host).toMatchObject({ constraints: { maxLength: 5 }, docsUrl: 'https://example.com/host' });
    expect(enabled).not.toHaveProperty('constraints');
    expect(enabled).not.toHaveProperty('docsUrl');
  });
});

const providerFields = providerIds.flatMap((provider) =>
  Object.entries(providerDescriptors[provider].authMethods as Record<string, { schema: z.ZodObject }>).flatMap(([method, { schema }]) =>
    describeFields(schema).map((f) => ({ id: `${provider}.${method}.${f.name}`, f, schema: schema.shape[f.name] as z.ZodType })),
  ),
);

describe('constraints of the provider fields', () => {
  it('say what the public JSON Schema export says, plus the regex flags and URL protocols it loses', () => {
    for (const { id, f, schema } of providerFields) {
      const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
      const c = f.constraints ?? {};
      expect(c.maxLength, id).toBe(json['maxLength']);
      // A minimum before a trim (secrets are sent as typed) is left to the required check.
      if (c.minLength !== undefined) expect(c.minLength, id).toBe(json['minLength']);
      const jsonPatterns = [json['pattern'], ...((json['allOf'] as { pattern?: string }[] | undefined) ?? []).map((s) => s.pattern)].filter(Boolean);
      expect(new Set((c.patterns ?? []).map((p) => p.source)), id).toEqual(new Set(jsonPatterns));
      // The export drops `format` once a regex follows the URL (Azure's vaultUrl): one more thing it loses.
      if (json['format'] === 'uri') expect(c.url, id).toBeDefined();
    }
  });

  it('give examples of the expected shapes', () => {
    const byId = Object.fromEntries(providerFields.map(({ id, f }) => [id, f]));
    expect(byId['vault.token.url']?.constraints).toEqual({ url: { protocol: re(/^https?$/) } });
    expect(byId['vault.token.namespace']?.constraints).toEqual({ maxLength: 256 });
    expect(byId['aws.assumeRole.roleArn']?.constraints?.patterns?.[0]?.source).toMatch(/^\^arn:aws/);
    expect(byId['azure.clientSecret.clientId']?.constraints?.patterns).toEqual([{ source: expect.any(String), flags: 'i' }]);
    expect(byId['azure.clientSecret.vaultUrl']?.constraints).toMatchObject({ url: { protocol: re(/^https$/) }, patterns: [expect.anything()] });
    expect(byId['gcp.ambient.apiEndpoint']?.constraints?.patterns).toHaveLength(1);
  });

  it('offer only options the schema accepts', () => {
    for (const { id, f, schema } of providerFields.filter(({ f }) => f.kind === 'select')) {
      expect(f.options?.length, id).toBeGreaterThan(0);
      for (const option of f.options ?? []) expect(schema.safeParse(option.value).success, `${id} = ${option.value}`).toBe(true);
    }
  });
});
