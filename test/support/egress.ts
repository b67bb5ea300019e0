import { EgressGuard, type Resolve } from '../../server/providers/egress/egress-guard.ts';
import { parseAllowRules } from '../../server/providers/egress/egress-policy.ts';

/** What tests allow: the emulators listen on this machine's loopback, on ports the OS picks. */
export const LOOPBACK_NETWORKS = '127.0.0.1:*,[::1]:*';

/** An egress guard with the operator's allow-list `networks` (by default, this machine's loopback on any port). */
export function testEgress(networks = LOOPBACK_NETWORKS, resolve?: Resolve): EgressGuard {
  const { rules, problems } = parseAllowRules(networks);
  if (problems.length > 0) throw new Error(problems.join('; '));
  return new EgressGuard(rules, resolve);
}
