import { resolve } from 'node:path';
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
 * One build, served by the server under `/elements/`:
 * - `secret-managers.js`: every element (what hosts load), plus per-element entry points
 *   `secret-manager-list.js`, `secret-manager-dialog.js`, `secret-key-picker.js` and
 *   `secret-reference-field.js` — stable names for hosts,
 *   sharing hashed chunks, so loading several never defines an element twice;
 * - `admin-page/index.html`: the standalone admin page, served at `/`.
 */
export default defineConfig({
  root,
  base: '/elements/',
  publicDir: false,
  plugins: [minifyLitTemplates()],
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
        // What every element needs (Lit, the tRPC client, the element base, styles, texts,
        // icons) in one chunk rather than several small ones, each gzipped on its own;
        // directives and helpers of one element stay with it.
        codeSplitting: { groups: [{ name: 'shared', test: /[\\/]node_modules[\\/](?!.*[\\/]directives[\\/])|[\\/]elements[\\/](base[\\/](sm-element|changes|token-retry|focus|modal-controller)\.ts|styles[\\/]|data[\\/](settled|providers)\.ts$|(messages|client|problems|problem-notice|icons|provider-logos|events)\.ts$)/ }] },
      },
    },
  },
});
