/**
 * `npm run manifest` (part of `npm run build`): dist/custom-elements.json for IDEs, docs
 * and linters, generated from the JSDoc on each element class (@summary, @event, @slot,
 * @csspart, @cssproperty, @cssstate).
 */
export default {
  globs: ['elements/**/*.ts'],
  exclude: ['elements/**/*.styles.ts', 'elements/**/entry.ts', 'elements/react/**', 'elements/admin-page/**'],
  outdir: 'dist',
  litelement: true,
  // package.json already names the manifest; the analyzer would otherwise rewrite the file on every build.
  packagejson: false,
};
