import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const root = resolve(import.meta.dirname, 'elements');

/** The minifier keeps template literals verbatim: collapse the whitespace and comments of Lit's css`` styles and the indentation of html`` templates. */
function minifyLitTemplates(): Plugin {
  const collapse = (body: string) =>
    body
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\s+/g, ' ')
      .replace(/\s*([{};,>])\s*/g, '$1')
      .replace(/:\s+/g, ':')
      .replace(/;}/g, '}')
      .trim();
  return {
    name: 'minify-lit-templates',
    transform(code, id) {
      if (!id.startsWith(root) || !code.includes('css`')) return undefined;
      return code.replace(/\bcss`([^`$]*)`/g, (_, body: string) => `css\`${collapse(body)}\``);
    },
    // Minified code keeps line breaks only inside template literals: the indentation after
    // them is whitespace HTML collapses anyway (no template has a <pre> or pre-wrapped text).
    renderChunk(code) {
      return { code: code.replace(/\n[ \t]+/g, '\n'), map: null };
    },
  };
}

/**
 * Writes a Brotli (`.br`) and a gzip (`.gz`) copy of each text file next to it, at the
 * strongest levels: the server sends the best one the browser accepts
 * (server/http/static-routes.ts) without compressing anything per request.
 */
function precompress(): Plugin {
  return {
    name: 'precompress',
    apply: 'build',
    async writeBundle({ dir: outDir = '' }, bundle) {
      const files = Object.keys(bundle).filter((name) => /\.(js|css|html|svg|map)$/.test(name));
      await Promise.all(
        files.map(async (name) => {
          const file = join(outDir, name);
          const code = await readFile(file);
          await Promise.all([
            writeFile(`${file}.br`, brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: code.length } })),
            writeFile(`${file}.gz`, gzipSync(code, { level: 9 })),
          ]);
        }),
      );
    },
  };
}

/** The two kinds of host page, by the entry points they load: an admin page, and a form with secret fields. */
const audiences = {
  admin: ['secret-manager-list/entry.ts', 'secret-manager-dialog/entry.ts'],
  embed: ['secret-reference-field/entry.ts', 'secret-key-picker/entry.ts'],
};
const audienceEntries = new Map(Object.entries(audiences).flatMap(([audience, entries]) => entries.map((e) => [resolve(root, e), audience])));

/** The chunk of a module: the audience whose entry points import it (directly or not), `shared` when both do, none (left to its entry) when neither does. */
function audienceOf(id: string, graph: { getModuleInfo(id: string): { importers: string[]; dynamicImporters: string[] } | null }): string | null {
  if (audienceEntries.has(id)) return null;
  const importedBy = new Set([id]);
  for (const module of importedBy) {
    const info = graph.getModuleInfo(module);
    for (const importer of [...(info?.importers ?? []), ...(info?.dynamicImporters ?? [])]) importedBy.add(importer);
  }
  const found = new Set([...importedBy].flatMap((module) => audienceEntries.get(module) ?? []));
  return found.size === 0 ? null : found.size === 1 ? [...found][0]! : 'shared';
}

/**
 * One build, served by the server under `/elements/`:
 * - `secret-managers.js`: every element, plus per-element entry points
 *   `secret-manager-list.js`, `secret-manager-dialog.js`, `secret-key-picker.js` and
 *   `secret-reference-field.js` — stable names for hosts,
 *   sharing hashed chunks, so loading several never defines an element twice;
 * - `admin-page/index.html`: the standalone admin page, served at `/`.
 */
export default defineConfig({
  root,
  base: '/elements/',
  publicDir: false,
  plugins: [minifyLitTemplates(), precompress()],
  build: {
    outDir: resolve(import.meta.dirname, 'dist/elements'),
    emptyOutDir: true,
    target: 'es2022',
    // Hosts load the bundle from our origin into theirs, where Vite's preload links (built
    // from `base`) would point at the host's origin; a lazy chunk is fetched by import() alone.
    modulePreload: false,
    rolldownOptions: {
      input: {
        'secret-managers': resolve(root, 'index.ts'),
        'secret-manager-list': resolve(root, 'secret-manager-list/entry.ts'),
        'secret-manager-dialog': resolve(root, 'secret-manager-dialog/entry.ts'),
        'secret-key-picker': resolve(root, 'secret-key-picker/entry.ts'),
        'secret-reference-field': resolve(root, 'secret-reference-field/entry.ts'),
        'admin-page': resolve(root, 'admin-page/index.html'),
      },
      // Hosts import the entry points' exports (configure, createClient, the classes).
      preserveEntrySignatures: 'strict',
      // tRPC's packages do not declare themselves side-effect free, which would keep its
      // WebSocket and subscription code in the bundle although the elements only use HTTP;
      // setup.ts only re-exports, and would otherwise become an empty chunk of its own.
      treeshake: { moduleSideEffects: (id) => !/[\\/]node_modules[\\/]@trpc[\\/]|[\\/]elements[\\/]setup\.ts$/.test(id) },
      output: {
        minify: true,
        entryFileNames: '[name].js',
        chunkFileNames: 'chunks/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
        // Each kind of host page loads one chunk of its own plus what both kinds share (Lit, the
        // tRPC client, the element base, styles, texts, icons): few files, each gzipped on its
        // own, and none of the other kind's code. `shared` goes first because a group takes
        // its modules' dependencies along unless another group has taken them.
        codeSplitting: {
          groups: [
            { name: (id, graph) => (audienceOf(id, graph) === 'shared' ? 'shared' : null), priority: 2 },
            { name: (id, graph) => audienceOf(id, graph), priority: 1 },
          ],
        },
      },
    },
  },
});
