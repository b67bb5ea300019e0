import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

/** The part of the Custom Elements Manifest schema these checks read. */
interface Declaration {
  tagName?: string;
  customElement?: boolean;
  summary?: string;
  attributes?: { name: string }[];
  events?: { name: string }[];
  cssParts?: { name: string }[];
  cssStates?: { name: string }[];
  cssProperties?: { name: string }[];
}

const MANIFEST = 'dist/custom-elements.json';
let elements: Map<string, Declaration>;

beforeAll(() => {
  if (!existsSync(MANIFEST)) throw new Error('No custom-elements.json: run `npm run build` first.');
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as { modules: { declarations?: Declaration[] }[] };
  const declarations = manifest.modules.flatMap((m) => m.declarations ?? []);
  elements = new Map(declarations.filter((d) => d.tagName).map((d) => [d.tagName!, d]));
});

const names = (list: { name: string }[] | undefined) => (list ?? []).map((x) => x.name);

async function definedTags(folder: string): Promise<string[]> {
  const tags: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const source = await readFile(join(entry.parentPath, entry.name), 'utf8');
    for (const match of source.matchAll(/@customElement\('([a-z-]+)'\)/g)) tags.push(match[1]!);
  }
  return tags.sort();
}

describe('custom-elements.json (npm run build)', () => {
  it('describes every element the bundle defines, each with a summary', async () => {
    const tags = await definedTags('elements');
    expect([...elements.keys()].sort()).toEqual(tags);
    for (const tag of tags) expect(elements.get(tag)!.summary, tag).toBeTruthy();
  });

  it('gives IDEs the key picker’s attributes, events, parts and states', () => {
    const picker = elements.get('secret-key-picker')!;
    expect(names(picker.attributes)).toEqual(expect.arrayContaining(['api-url', 'token', 'project-id', 'value', 'disabled', 'show-when-empty', 'label', 'theme']));
    expect(names(picker.events)).toEqual(expect.arrayContaining(['change', 'sm-reference-change', 'sm-auth-expired']));
    expect(names(picker.cssParts)).toEqual(expect.arrayContaining(['button', 'chip', 'popover']));
    expect(names(picker.cssStates)).toEqual(['empty', 'expired', 'reference']);
    expect(names(picker.cssProperties)).toContain('--sm-color-primary');
  });

  it('gives IDEs the reference field’s form attributes and events', () => {
    const field = elements.get('secret-reference-field')!;
    expect(names(field.attributes)).toEqual(expect.arrayContaining(['name', 'label', 'value', 'type', 'required', 'disabled', 'placeholder', 'help', 'project-id']));
    expect(names(field.events)).toEqual(expect.arrayContaining(['change', 'input', 'sm-reference-change', 'sm-auth-expired']));
    expect(names(field.cssParts)).toEqual(expect.arrayContaining(['label', 'input', 'picker', 'error']));
  });

  it('matches the README: every --sm-* property the elements read, and the parts of the four public elements', async () => {
    const readme = await readFile('README.md', 'utf8');
    const read = new Set<string>();
    for (const entry of await readdir('elements', { withFileTypes: true, recursive: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      for (const match of (await readFile(join(entry.parentPath, entry.name), 'utf8')).matchAll(/var\((--sm-[a-z-]+)/g)) read.add(match[1]!);
    }
    expect(read.size).toBeGreaterThan(10);
    for (const property of read) expect(readme, property).toContain(`\`${property}\``);
    for (const tag of ['secret-manager-list', 'secret-manager-dialog', 'secret-key-picker', 'secret-reference-field']) {
      const documented = readme.match(new RegExp(`\`<${tag}>\`((?:\\s+\`[a-z-]+\`,?)+)`))?.[1] ?? '';
      expect(names(elements.get(tag)!.cssParts).sort(), tag).toEqual([...documented.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]).sort());
    }
  });
});
