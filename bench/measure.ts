/** Runs `fn` `iterations` times (after a warm-up) and returns the durations in microseconds, sorted. */
export async function sample(iterations: number, fn: (i: number) => Promise<unknown>, warmup = Math.min(200, iterations)): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const durations: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    await fn(i);
    durations.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return durations.sort((a, b) => a - b);
}

/**
 * Runs two functions alternately, so that whatever else the machine does at the time
 * weighs on both alike; returns both sets of durations in microseconds, sorted.
 * `settle` runs, untimed, after each of ours: work ours leaves for later (a cache write)
 * must not land in the baseline's time.
 */
export async function samplePair(
  iterations: number,
  ours: (i: number) => Promise<unknown>,
  baseline: (i: number) => Promise<unknown>,
  warmup = Math.min(200, iterations),
  settle?: () => Promise<unknown>,
): Promise<[number[], number[]]> {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = -warmup; i < iterations; i++) {
    let start = process.hrtime.bigint();
    await ours(i);
    const tookA = Number(process.hrtime.bigint() - start) / 1000;
    await settle?.();
    start = process.hrtime.bigint();
    await baseline(i);
    const tookB = Number(process.hrtime.bigint() - start) / 1000;
    if (i >= 0) {
      a.push(tookA);
      b.push(tookB);
    }
  }
  return [a.sort((x, y) => x - y), b.sort((x, y) => x - y)];
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface Row {
  measure: string;
  ours: string;
  baseline: string;
  ratio: number;
  target: string;
  /** Undefined for a row without a target (information). */
  met: boolean | undefined;
}

type Verdict = Pick<Row, 'ratio' | 'target' | 'met'>;

/** `valid` false (the measurement itself failed, e.g. non-2xx answers): the target is missed whatever the ratio. */
export function atMost(ratio: number, limit: number, valid = true): Verdict {
  return { ratio, target: `≤ ${limit}`, met: valid && ratio <= limit };
}

export function atLeast(ratio: number, limit: number, valid = true): Verdict {
  return { ratio, target: `≥ ${limit}`, met: valid && ratio >= limit };
}

export function information(ratio: number, note = 'information'): Verdict {
  return { ratio, target: `none (${note})`, met: undefined };
}

/** Percentile `p` of ours against the baseline's, judged by `verdict` (e.g. `(r) => atMost(r, 1.25)`). */
export function ratioRow(measure: string, ours: number[], baseline: number[], verdict: (ratio: number) => Verdict, p = 50): Row {
  const a = percentile(ours, p);
  const b = percentile(baseline, p);
  return { measure: `${measure} (p${p})`, ours: `${a.toFixed(1)} µs`, baseline: `${b.toFixed(1)} µs`, ...verdict(a / b) };
}

export function printRows(rows: Row[]): void {
  const table = rows.map(({ met, ...r }) => ({ ...r, ratio: r.ratio.toFixed(2), met: met === undefined ? '—' : met ? 'yes' : 'NO' }));
  console.table(table);
}

/** Rows whose target is missed: `npm run bench` fails on any, so a regression is visible. */
export function missed(rows: Row[]): Row[] {
  return rows.filter((r) => r.met === false);
}
