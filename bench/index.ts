import { printRows, type Row } from './measure.ts';
import { benchResolution } from './resolution.ts';

/**
 * `npm run bench`: every number is a ratio against a baseline measured in the same run,
 * on the same machine, so runs on different machines stay comparable.
 */
const rows: Row[] = [];
rows.push(...(await benchResolution()));
printRows(rows);
process.exit(0);
