import { benchElements } from './elements.ts';
import { benchEventLoop } from './event-loop.ts';
import { Cleanup } from './cleanup.ts';
import { benchHttp } from './http.ts';
import { atMost, information, missed, printRows, type Row } from './measure.ts';
import { benchResolution } from './resolution.ts';

/**
 * `npm run bench`: every number is a ratio against a baseline measured in the same run,
 * on the same machine, so runs on different machines stay comparable. Exits non-zero when
 * a row misses its target, so that a regression is visible.
 */
// An interrupted run still stops its child processes and drops what it created. A signal
// may come twice (to the process group, and relayed by tsx): the second must not kill us.
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    void Cleanup.runAll().finally(() => process.exit(130));
  });
}

const rows: Row[] = [];
rows.push(...(await benchResolution()));
rows.push(...(await benchHttp()));
rows.push(...(await benchEventLoop()));
/**
 * Each kind of host loads one entry point: an admin page the list (with its dialog), a
 * form the reference field (with its key picker). #5 set 35 KB for the admin elements, Lit
 * and the tRPC client included; the embedded field is held to the same. A page with both
 * loads `secret-managers.js`, which has no budget of its own.
 */
const budgets: { entry: string; label: string; budgeted: boolean }[] = [
  { entry: 'secret-manager-list.js', label: 'admin elements (list, dialog)', budgeted: true },
  { entry: 'secret-reference-field.js', label: 'embedded field (field, key picker)', budgeted: true },
  { entry: 'secret-managers.js', label: 'every element', budgeted: false },
];
const elements = await benchElements(budgets.map((b) => b.entry));
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
for (const { entry, label, budgeted } of budgets) {
  const { gzipBytes, brotliBytes } = elements.bundles.find((b) => b.entry === entry)!;
  const ratio = gzipBytes / 35_000;
  rows.push({
    measure: `${label}, ${entry} and its chunks, gzip (Brotli), Lit and tRPC client included`,
    ours: `${kb(gzipBytes)} (${kb(brotliBytes)})`,
    baseline: '35 KB budget',
    ...(budgeted ? atMost(ratio, 1) : information(ratio, 'a page with both kinds')),
  });
}
rows.push({
  measure: 'first render of <secret-manager-list>, 1,000 vs 10 connections (median)',
  ours: `${elements.render1000Ms.toFixed(1)} ms`,
  baseline: `${elements.render10Ms.toFixed(1)} ms`,
  // "Small": 100 times the connections must not cost anywhere near 100 times the render.
  ...atMost(elements.listRenderRatio, 5),
});
printRows(rows);
const misses = missed(rows);
if (misses.length > 0) {
  console.error(`${misses.length} row(s) missed their target:\n${misses.map((r) => `  ${r.measure}: ${r.ratio.toFixed(2)}, target ${r.target}`).join('\n')}`);
  process.exit(1);
}
process.exit(0);
