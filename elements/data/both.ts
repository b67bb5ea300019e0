/**
 * Both answers, failing only once both requests have settled: shared requests that failed
 * are forgotten by then (see providers.ts, connections.ts), so a retry after a token
 * refresh never reuses one that is still on its way to failing.
 */
export async function both<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}
