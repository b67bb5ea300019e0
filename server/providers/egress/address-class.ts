/**
 * What kind of address a connection would reach. Only `public` addresses are open to
 * tenants' connections by default; everything else needs the operator's allow-list.
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export type AddressClass = 'public' | 'private' | 'loopback' | 'link-local' | 'unspecified' | 'multicast' | 'reserved';

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

const ipv4Classes: Record<string, AddressClass> = {
  unicast: 'public',
  private: 'private',
  carrierGradeNat: 'private',
  loopback: 'loopback',
  linkLocal: 'link-local',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'multicast',
};

const ipv6Classes: Record<string, AddressClass> = {
  unicast: 'public',
  uniqueLocal: 'private',
  deprecatedSiteLocal: 'private',
  loopback: 'loopback',
  linkLocal: 'link-local',
  unspecified: 'unspecified',
  multicast: 'multicast',
};

/** `[::1]` as URLs write it, `::1` as sockets take it. */
export function withoutBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * An IP literal as `connect()` takes it (brackets and zone allowed), with an IPv4-mapped
 * IPv6 address (`::ffff:127.0.0.1`) unwrapped to the IPv4 address it reaches; undefined
 * for anything that is not an IP literal (a host name). Decimal, octal and hex spellings
 * (`2130706433`, `0x7f.1`) are host names here: URL parsing normalises them before a
 * request is made, and a resolver that still accepts them returns the dotted address,
 * which is what gets checked.
 */
export function parseIp(text: string): IpAddress | undefined {
  const bare = withoutBrackets(text);
  if (isIP(bare) === 0) return undefined;
  const address = ipaddr.parse(bare.replace(/%.*$/, ''));
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) return (address as ipaddr.IPv6).toIPv4Address();
  return address;
}

/** IPv4-compatible IPv6 (`::a.b.c.d`, deprecated by RFC 4291): not a public destination, whatever it embeds. */
function isIpv4Compatible(address: ipaddr.IPv6): boolean {
  const { parts } = address;
  return parts.slice(0, 6).every((p) => p === 0) && (parts[6] !== 0 || parts[7]! > 1);
}

export function classOf(address: IpAddress): AddressClass {
  if (address.kind() === 'ipv4') return ipv4Classes[address.range()] ?? 'reserved';
  if (isIpv4Compatible(address as ipaddr.IPv6)) return 'reserved';
  return ipv6Classes[address.range()] ?? 'reserved';
}
