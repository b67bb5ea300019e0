/**
 * Attack: an address the guard reads one way and the network another — a loopback,
 * metadata or private address spelled in decimal, octal, hex, shortened, or wrapped in an
 * IPv6 form — or an operator allow-list entry that opens more than it says.
 *
 * It must not reach: any non-public address unless an entry names it, any port beyond the
 * usual ones unless an entry names it. Property runs are seeded; SM_PROPERTY_RUNS raises them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { classOf, parseIp } from '../../server/providers/egress/address-class.ts';
import { EgressPolicy, parseAllowRules } from '../../server/providers/egress/egress-policy.ts';

const RUNS = Number(process.env.SM_PROPERTY_RUNS ?? 500);
const SEED = 20261202;
const HTTPS: ReadonlySet<number> = new Set([443]);
const VAULT_HTTP: ReadonlySet<number> = new Set([80, 8200]);

function policy(list = ''): EgressPolicy {
  const { rules, problems } = parseAllowRules(list);
  expect(problems).toEqual([]);
  return new EgressPolicy(rules);
}

const allows = (p: EgressPolicy, address: string, port = 443, host = address, ports = HTTPS) => p.allows({ host, port, address }, ports);

describe('address classes', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['[::ffff:7f00:1]', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'multicast'],
    ['ff02::1', 'multicast'],
    ['10.0.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd00:ec2::254', 'private'],
    ['fc00::1', 'private'],
    ['fec0::1', 'private'],
    ['::7f00:1', 'reserved'],
    ['64:ff9b::7f00:1', 'reserved'],
    ['2002:7f00:1::', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['93.184.216.34', 'public'],
    ['2606:4700::1111', 'public'],
  ])('%s is %s', (address, expected) => {
    expect(classOf(parseIp(address)!)).toBe(expected);
  });

  it('takes only IP literals as addresses: other spellings are names, resolved (and checked) as such', () => {
    for (const name of ['2130706433', '0x7f.0.0.1', '0177.0.0.1', '127.1', 'localhost', '']) expect(parseIp(name)).toBeUndefined();
  });
});

describe('the default policy', () => {
  it('allows public addresses on the usual ports only', () => {
    const p = policy();
    expect(allows(p, '93.184.216.34', 443)).toBe(true);
    expect(allows(p, '93.184.216.34', 8443)).toBe(false);
    expect(allows(p, '93.184.216.34', 8200, 'vault.example.com', VAULT_HTTP)).toBe(true);
    expect(allows(p, '93.184.216.34', 22, 'vault.example.com', VAULT_HTTP)).toBe(false);
  });

  it('refuses every address that is not public, whatever name led to it', () => {
    const p = policy();
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '169.254.169.254', 'fd00:ec2::254', '10.1.2.3', '192.168.1.1', '0.0.0.0', '::', '224.0.0.1', '::7f00:1']) {
      expect(allows(p, address, 443, 'vault.example.com'), address).toBe(false);
    }
  });

  it('refuses what is not an address at all', () => {
    expect(allows(policy(), 'not-an-ip')).toBe(false);
  });

  it('refuses every non-public IPv4 address in every spelling a URL accepts (property)', () => {
    const refusedRanges = fc.oneof(
      fc.tuple(fc.constant(127), fc.nat(255), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(10), fc.nat(255), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(169), fc.constant(254), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(192), fc.constant(168), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(0), fc.nat(255), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.integer({ min: 224, max: 255 }), fc.nat(255), fc.nat(255), fc.nat(255)),
    );
    const spellings = (o: number[]) => {
      const n = ((o[0]! << 24) >>> 0) + (o[1]! << 16) + (o[2]! << 8) + o[3]!;
      return [
        o.join('.'),
        String(n),
        `0x${n.toString(16)}`,
        o.map((x) => `0${x.toString(8)}`).join('.'),
        o.map((x) => `0x${x.toString(16)}`).join('.'),
        `${o[0]}.${(o[1]! << 16) + (o[2]! << 8) + o[3]!}`,
        `[::ffff:${o.join('.')}]`,
      ];
    };
    const p = policy();
    fc.assert(
      fc.property(refusedRanges, (octets) => {
        for (const spelling of spellings(octets)) {
          // What any SDK connects to: the URL's host, normalised (decimal, hex, octal, mapped IPv6).
          const host = new URL(`http://${spelling}/`).hostname;
          expect(allows(p, host.replace(/^\[(.*)\]$/, '$1'), 443, spelling), spelling).toBe(false);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('allows public IPv4 addresses on 443 and refuses them on any other port but the usual ones (property)', () => {
    const p = policy();
    const publicOctets = fc
      .tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.nat(255))
      .filter((o) => classOf(parseIp(o.join('.'))!) === 'public');
    fc.assert(
      fc.property(publicOctets, fc.integer({ min: 1, max: 65535 }), (octets, port) => {
        const address = octets.join('.');
        expect(allows(p, address, 443)).toBe(true);
        expect(allows(p, address, port)).toBe(port === 443);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe('the operator allow-list (SM_PROVIDER_ALLOWED_NETWORKS)', () => {
  it('opens a listed network on the usual ports, or on the port it names', () => {
    const p = policy('10.0.0.0/8, 192.168.4.0/24:8443, fd00::/8, [fc12::/16]:9000');
    expect(allows(p, '10.9.8.7', 443)).toBe(true);
    expect(allows(p, '10.9.8.7', 8200, 'vault.corp', VAULT_HTTP)).toBe(true);
    expect(allows(p, '10.9.8.7', 6379)).toBe(false);
    expect(allows(p, '11.0.0.1', 6379)).toBe(false);
    expect(allows(p, '192.168.4.10', 8443)).toBe(true);
    expect(allows(p, '192.168.4.10', 443)).toBe(false);
    expect(allows(p, '192.168.5.10', 8443)).toBe(false);
    expect(allows(p, 'fd00::10', 443)).toBe(true);
    expect(allows(p, 'fc12::10', 9000)).toBe(true);
    expect(allows(p, 'fc12::10', 443)).toBe(false);
    // An IPv4-mapped IPv6 address is the IPv4 address it maps, listed or not.
    expect(allows(p, '::ffff:10.0.0.1', 443)).toBe(true);
    expect(allows(p, '::ffff:11.0.0.1', 8443)).toBe(false);
  });

  it('opens a listed host name on its port whatever it resolves to, and nothing else of that address', () => {
    const p = policy('vault.internal:8200, metadata.internal');
    expect(allows(p, '10.0.0.5', 8200, 'vault.internal', VAULT_HTTP)).toBe(true);
    expect(allows(p, '10.0.0.5', 8200, 'VAULT.internal.', VAULT_HTTP)).toBe(true);
    expect(allows(p, '10.0.0.5', 8200, 'other.internal', VAULT_HTTP)).toBe(false);
    expect(allows(p, '10.0.0.5', 22, 'vault.internal', VAULT_HTTP)).toBe(false);
    expect(allows(p, '169.254.169.254', 443, 'metadata.internal')).toBe(true);
  });

  it('opens this machine or the metadata service only when an entry names them', () => {
    expect(allows(policy('127.0.0.1:*'), '127.0.0.1', 41234)).toBe(true);
    expect(allows(policy('127.0.0.1:*'), '127.0.0.2', 41234)).toBe(false);
    expect(allows(policy('[::1]:*'), '::1', 41234)).toBe(true);
    expect(allows(policy('10.0.0.0/8'), '169.254.169.254', 443)).toBe(false);
    expect(allows(policy('169.254.169.254'), '169.254.169.254', 443)).toBe(true);
  });

  it('says which entry is wrong, and the config names the variable', () => {
    expect(parseAllowRules('10.0.0.0/33, vault.corp:0, http://x, a b, 10.0.0.0/8').problems).toEqual([
      '"10.0.0.0/33" is not a CIDR such as 10.0.0.0/8 or fd00::/8',
      '"vault.corp:0": the port must be a number from 1 to 65535, or *',
      '"http://x": the port must be a number from 1 to 65535, or *',
      '"a b" is not a CIDR, an IP address or a host name',
    ]);
    expect(() => loadConfig({ SM_PROVIDER_ALLOWED_NETWORKS: '10.0.0.0/8,nope!' })).toThrow(ConfigError);
    expect(() => loadConfig({ SM_PROVIDER_ALLOWED_NETWORKS: '10.0.0.0/8,nope!' })).toThrow(/^SM_PROVIDER_ALLOWED_NETWORKS: "nope!"/);
    expect(loadConfig({ SM_PROVIDER_ALLOWED_NETWORKS: '10.0.0.0/8, vault.corp:8200' }).allowedNetworks).toHaveLength(2);
    expect(loadConfig({}).allowedNetworks).toEqual([]);
  });
});
