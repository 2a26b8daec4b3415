import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * SSRF defence for webhook URLs (K2): which addresses a delivery may connect to. Refused: unspecified,
 * private (10/8, 172.16/12, 192.168/16), loopback, link-local (including the cloud metadata address
 * 169.254.169.254), CGNAT (100.64/10), benchmarking, multicast and reserved ranges, IPv6 unique-local,
 * link-local and multicast, and IPv4 addresses in IPv6 clothing (IPv4-mapped, IPv4-compatible, NAT64),
 * which are judged as the IPv4 address they carry. Loopback is allowed only where config says so (tests).
 */
const refusedV4 = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  refusedV4.addSubnet(net, prefix, 'ipv4');
}
const loopbackV4 = new BlockList();
loopbackV4.addSubnet('127.0.0.0', 8, 'ipv4');

const refusedV6 = new BlockList();
for (const [net, prefix] of [
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['100::', 64],
] as const) {
  refusedV6.addSubnet(net, prefix, 'ipv6');
}

/** The 8 hextets of an IPv6 address. */
function hextets(address: string): number[] {
  let text = address.split('%')[0]!;
  // A dotted IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted !== null) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text =
      text.slice(0, -dotted[1]!.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head === '' ? [] : head!.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((part) => parseInt(part, 16));
}

/** The IPv4 address an IPv6 one carries (mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64), if any. */
function embeddedV4(address: string): string | null {
  const h = hextets(address);
  const v4 = () => `${h[6]! >> 8}.${h[6]! & 255}.${h[7]! >> 8}.${h[7]! & 255}`;
  const zeros = (from: number, to: number) => h.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && h[5] === 0xffff) return v4();
  if (zeros(0, 6) && !(h[6] === 0 && h[7]! <= 1)) return v4();
  if (h[0] === 0x64 && h[1] === 0xff9b && zeros(2, 6)) return v4();
  return null;
}

/** Why a delivery may not connect to `address`, or null when it may. */
export function refusedAddress(address: string, allowLoopback: boolean): string | null {
  const family = isIP(address);
  if (family === 4) {
    if (loopbackV4.check(address, 'ipv4')) return allowLoopback ? null : `${address} is a loopback address`;
    return refusedV4.check(address, 'ipv4') ? `${address} is a private or reserved address` : null;
  }
  if (family === 6) {
    const inner = embeddedV4(address);
    if (inner !== null) {
      const why = refusedAddress(inner, allowLoopback);
      return why === null ? null : `${address} carries ${inner}: ${why}`;
    }
    const h = hextets(address);
    if (h.slice(0, 7).every((x) => x === 0) && h[7] === 1) {
      return allowLoopback ? null : `${address} is a loopback address`;
    }
    return refusedV6.check(address, 'ipv6') ? `${address} is a private or reserved address` : null;
  }
  return `${address} is not an IP address`;
}

export class RefusedAddressError extends Error {}

/**
 * A `lookup` for http.request that resolves the name and refuses the connection when any address it
 * resolves to is refused: the check is made on the addresses actually connected to, so a name that
 * resolves to a public address at creation and a private one at delivery (DNS rebinding) is still refused.
 */
export function guardedLookup(allowLoopback: boolean, resolve: LookupFunction = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as unknown as { address: string; family: number }[];
      for (const entry of list) {
        const why = refusedAddress(entry.address, allowLoopback);
        if (why !== null) return callback(new RefusedAddressError(why), '', 0);
      }
      if (list.length === 0) return callback(new RefusedAddressError(`${hostname} has no address`), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/** Resolves `hostname` through `lookup`, refusing what it refuses (the check at creation). */
export function resolveAllowed(lookup: LookupFunction, hostname: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    lookup(hostname, { all: true }, (error, addresses) => {
      if (error) return reject(error);
      resolve((addresses as unknown as { address: string }[]).map((a) => a.address));
    });
  });
}
