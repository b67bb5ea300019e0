import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * The React entry (`secret-managers/react`) for apps that bundle: an ES module whose
 * dependencies (React, Lit, tRPC) stay imports, so the app's bundler shares one copy of
 * each with the rest of the app. Hosts without a bundler load `dist/elements/` instead.
 */
export default defineConfig({
  publicDir: false,
  build: {
    outDir: resolve(import.meta.dirname, 'dist/react'),
    emptyOutDir: true,
    target: 'es2022',
    lib: { entry: resolve(import.meta.dirname, 'elements/react/index.ts'), formats: ['es'], fileName: 'index' },
    rolldownOptions: { external: (id) => /^(react|lit|@lit|@trpc)(\/|$)/.test(id) },
  },
});
