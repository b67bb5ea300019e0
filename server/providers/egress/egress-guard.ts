/**
 * The guard every provider request passes: it resolves the destination itself and checks
 * each address at connect time, so a name that resolves (or later re-resolves) to a
 * refused address never gets a packet. IP literals, which Node connects to without a
 * lookup, are checked before the socket is made. Node agents for HTTP SDKs; the gRPC
 * resolver (grpc-resolver.ts) uses `addresses()` too.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { Agent as HttpAgent, type AgentOptions } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions } from 'node:https';
import type { LookupFunction, NetConnectOpts } from 'node:net';
import { parseIp, withoutBrackets } from './address-class.ts';
import { EgressPolicy, type AllowRule } from './egress-policy.ts';
import { DestinationRefusedError } from './refusal.ts';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** How host names become addresses; tests give their own to point a name anywhere without DNS. */
export type Resolve = (hostname: string) => Promise<readonly ResolvedAddress[]>;

const systemResolve: Resolve = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

const SCHEME_PORTS = { 'http:': 80, 'https:': 443 } as const;

type Protocol = keyof typeof SCHEME_PORTS;

export class EgressGuard {
  readonly policy: EgressPolicy;

  /** `allowed`: the operator's SM_PROVIDER_ALLOWED_NETWORKS. */
  constructor(
    allowed: readonly AllowRule[],
    private readonly resolve: Resolve = systemResolve,
  ) {
    this.policy = new EgressPolicy(allowed);
  }

  /**
   * The addresses `host` may be reached at on `port`. A name with any refused address is
   * refused as a whole: the connection could otherwise be steered to that one.
   */
  async addresses(host: string, port: number, defaultPorts: ReadonlySet<number>): Promise<ResolvedAddress[]> {
    const literal = parseIp(host);
    const resolved = literal ? [{ address: withoutBrackets(host), family: literal.kind() === 'ipv4' ? 4 : 6 }] : await this.resolve(host);
    if (resolved.length === 0 || !resolved.every(({ address }) => this.policy.allows({ host, port, address }, defaultPorts))) {
      throw new DestinationRefusedError();
    }
    return [...resolved];
  }

  /**
   * An agent for one connection's requests. `ports` are the provider's documented ports
   * besides the scheme's own (Vault's 8200). Node's agents connect straight to the
   * destination, never through an environment proxy: the address checked is the provider's.
   */
  agent(protocol: 'https:', options?: { ports?: readonly number[] } & HttpsAgentOptions): HttpsAgent;
  agent(protocol: 'http:', options?: { ports?: readonly number[] } & AgentOptions): HttpAgent;
  agent(protocol: Protocol, { ports = [], ...options }: { ports?: readonly number[] } & HttpsAgentOptions = {}): HttpAgent | HttpsAgent {
    const defaultPorts = new Set([SCHEME_PORTS[protocol], ...ports]);
    const agent = protocol === 'https:' ? new HttpsAgent({ keepAlive: true, ...options }) : new HttpAgent({ keepAlive: true, ...options });
    this.guard(agent, SCHEME_PORTS[protocol], defaultPorts);
    return agent;
  }

  /** Wraps the agent's socket factory: literals are checked here, names by the lookup it installs. */
  private guard(agent: HttpAgent, schemePort: number, defaultPorts: ReadonlySet<number>): void {
    type Create = (options: NetConnectOpts & { host?: string; port?: number | string }, callback: (error: Error | null, socket?: unknown) => void) => unknown;
    const create = (agent as unknown as { createConnection: Create }).createConnection.bind(agent);
    (agent as unknown as { createConnection: Create }).createConnection = (options, callback) => {
      const host = options.host ?? 'localhost';
      const port = options.port === undefined || options.port === '' ? schemePort : Number(options.port);
      if (parseIp(host) && !this.policy.allows({ host, port, address: withoutBrackets(host) }, defaultPorts)) {
        process.nextTick(callback, new DestinationRefusedError());
        return undefined;
      }
      return create({ ...options, lookup: this.lookupFor(port, defaultPorts) }, callback);
    };
  }

  /** A `lookup` for net.connect that answers only with checked addresses (both of its calling conventions). */
  private lookupFor(port: number, defaultPorts: ReadonlySet<number>): LookupFunction {
    return ((hostname: string, options: { all?: boolean; family?: number | string }, callback: (...args: unknown[]) => void) => {
      this.addresses(hostname, port, defaultPorts).then(
        (found) => {
          const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family ?? 0);
          const usable = family === 4 || family === 6 ? found.filter((a) => a.family === family) : found;
          if (usable.length === 0) callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }));
          else if (options.all) callback(null, usable);
          else callback(null, usable[0]!.address, usable[0]!.family);
        },
        (error: unknown) => callback(error),
      );
    }) as LookupFunction;
  }
}
