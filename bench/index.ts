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
rows.push(
  {
    measure: 'elements bundle, gzip (Lit and tRPC client included)',
    ours: `${(elements.bundleGzipBytes / 1024).toFixed(1)} KiB`,
    baseline: '35 KB budget',
    ratio: elements.bundleGzipBytes / 35_000,
    target: '≤ 1',
  },
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
