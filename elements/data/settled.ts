/**
 * Every answer, failing only once all requests have settled: shared requests that failed
 * are forgotten by then (see providers.ts, connections.ts), so a retry after a token
 * refresh never reuses one that is still on its way to failing.
 */
export async function allSettled<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
