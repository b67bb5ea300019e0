/**
 * Which destinations tenants' connections may reach: public addresses on the usual ports,
 * plus what the operator lists in SM_PROVIDER_ALLOWED_NETWORKS. Decided on the address a
 * connection is about to use, never only on the name in the config.
 */
import ipaddr from 'ipaddr.js';
import { classOf, parseIp, withoutBrackets, type IpAddress } from './address-class.ts';

/** `'default'`: the scheme's and the provider's usual ports only; `'*'`: any port. */
export type PortRule = 'default' | '*' | number;

export type AllowRule =
  | { kind: 'network'; range: [IpAddress, number]; ports: PortRule; text: string }
  | { kind: 'host'; name: string; ports: PortRule; text: string };

/** Where a connection is about to go: the name it asked for, and the address that name resolved to. */
export interface Destination {
  host: string;
  port: number;
  address: string;
}

function normaliseHost(host: string): string {
  return withoutBrackets(host.toLowerCase()).replace(/\.$/, '');
}

function parsePort(text: string): PortRule | undefined {
  if (text === '*') return '*';
  if (!/^[0-9]{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** Splits `target[:port]`, where an IPv6 target is bracketed when it carries a port. */
function splitPort(entry: string): { target: string; port: string | undefined } {
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(entry);
  if (bracketed) return { target: bracketed[1]!, port: bracketed[2] };
  const colons = entry.split(':').length - 1;
  if (colons === 1) {
    const [target, port] = entry.split(':');
    return { target: target!, port };
  }
  return { target: entry, port: undefined };
}

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** One entry: a CIDR, an IP or a host name, each with an optional `:port` (or `:*`). */
export function parseAllowRule(entry: string): AllowRule | string {
  const text = entry.trim();
  const { target, port } = splitPort(text);
  const ports = port === undefined ? 'default' : parsePort(port);
  if (ports === undefined) return `"${text}": the port must be a number from 1 to 65535, or *`;
  if (target.includes('/')) {
    try {
      const [address, bits] = ipaddr.parseCIDR(target);
      const unwrapped = parseIp(address.toString());
      // An IPv4-mapped range (::ffff:10.0.0.0/104) means the IPv4 range it maps.
      const range: [IpAddress, number] =
        unwrapped && unwrapped.kind() !== address.kind() ? [unwrapped, bits - 96] : [address, bits];
      return { kind: 'network', range, ports, text };
    } catch {
      return `"${text}" is not a CIDR such as 10.0.0.0/8 or fd00::/8`;
    }
  }
  const ip = parseIp(target);
  if (ip) return { kind: 'network', range: [ip, ip.kind() === 'ipv4' ? 32 : 128], ports, text };
  const name = normaliseHost(target);
  if (!HOST_NAME.test(name) || /^[0-9.]+$/.test(name)) return `"${text}" is not a CIDR, an IP address or a host name`;
  return { kind: 'host', name, ports, text };
}

/** The comma-separated list of SM_PROVIDER_ALLOWED_NETWORKS; the problems, if any, one per bad entry. */
export function parseAllowRules(list: string): { rules: AllowRule[]; problems: string[] } {
  const rules: AllowRule[] = [];
  const problems: string[] = [];
  for (const entry of list.split(',').map((e) => e.trim()).filter(Boolean)) {
    const parsed = parseAllowRule(entry);
    if (typeof parsed === 'string') problems.push(parsed);
    else rules.push(parsed);
  }
  return { rules, problems };
}

function portAllowed(rule: PortRule, port: number, defaultPorts: ReadonlySet<number>): boolean {
  return rule === '*' || rule === port || (rule === 'default' && defaultPorts.has(port));
}

function ruleMatches(rule: AllowRule, host: string, address: IpAddress): boolean {
  if (rule.kind === 'host') return rule.name === host;
  return address.kind() === rule.range[0].kind() && address.match(rule.range);
}

export class EgressPolicy {
  constructor(readonly rules: readonly AllowRule[] = []) {}

  /**
   * Whether a connection may be opened. An operator's rule that names the destination
   * wins (it may open loopback or a metadata address on purpose); otherwise only a
   * public address on one of `defaultPorts`.
   */
  allows(destination: Destination, defaultPorts: ReadonlySet<number>): boolean {
    const address = parseIp(destination.address);
    if (!address) return false;
    const host = normaliseHost(destination.host);
    if (this.rules.some((rule) => ruleMatches(rule, host, address) && portAllowed(rule.ports, destination.port, defaultPorts))) return true;
    return classOf(address) === 'public' && defaultPorts.has(destination.port);
  }
}
