import { benchElements } from './elements.ts';
import { printRows, type Row } from './measure.ts';
import { benchResolution } from './resolution.ts';

/**
 * `npm run bench`: every number is a ratio against a baseline measured in the same run,
 * on the same machine, so runs on different machines stay comparable.
 */
const rows: Row[] = [];
rows.push(...(await benchResolution()));
const elements = await benchElements();
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
/** What each entry is for: the admin page's elements, the field hosts put in their dialogs, everything. */
const bundleLabels: Record<string, string> = {
  'secret-manager-list.js': 'admin elements (list, dialog, project select)',
  'secret-reference-field.js': 'embedded field (field and key picker)',
  'secret-managers.js': 'every element',
};
for (const bundle of elements.bundles) {
  const label = `${bundleLabels[bundle.entry] ?? bundle.entry}, ${bundle.entry}, gzip`;
  rows.push({ measure: `${label}, first load`, ours: kb(bundle.firstLoadGzipBytes), baseline: '35 KB budget', ratio: bundle.firstLoadGzipBytes / 35_000, target: '≤ 1' });
  if (bundle.totalGzipBytes !== bundle.firstLoadGzipBytes) {
    rows.push({ measure: `${label}, with chunks loaded on first use`, ours: kb(bundle.totalGzipBytes), baseline: '35 KB budget', ratio: bundle.totalGzipBytes / 35_000, target: '≤ 1' });
  }
}
rows.push(
  {
    measure: 'first render of <secret-manager-list>, 1,000 vs 10 connections (median)',
    ours: `${elements.render1000Ms.toFixed(1)} ms`,
    baseline: `${elements.render10Ms.toFixed(1)} ms`,
    ratio: elements.listRenderRatio,
    target: 'small',
  },
);
printRows(rows);
process.exit(0);
