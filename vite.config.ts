import { defineConfig } from 'vite';

// Builds the custom elements as an ES module library (see elements/index.ts).
export default defineConfig({
  build: {
    outDir: 'dist/elements',
    lib: { entry: 'elements/index.ts', formats: ['es'], fileName: 'secret-managers' },
    rolldownOptions: { output: { minify: true } },
  },
});
