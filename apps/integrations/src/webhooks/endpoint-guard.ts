import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Where an endpoint may be reached (SPEC §16); both off in a deployment, on in tests and private networks. */
export interface EndpointPolicy {
  allowHttp: boolean;
  allowPrivate: boolean;
}

/** Why a delivery attempt was not made: the `lastError` of the delivery. */
export type Refusal = 'http_not_allowed' | 'address_not_allowed' | 'dns_failed';

/** Every range that is not the public internet: loopback, private, link-local, CGNAT, multicast, reserved, documentation. */
const NOT_PUBLIC = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NOT_PUBLIC.addSubnet(net, bits, 'ipv4');
}
// IPv4-mapped addresses (::ffff:0:0/96) are not listed: BlockList matches an IPv4 address against them; isPublicAddress unwraps them.
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NOT_PUBLIC.addSubnet(net, bits, 'ipv6');
}

export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  // An IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return !NOT_PUBLIC.check(mapped[1], 'ipv4');
  return !NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export type Resolved = { ok: true; address: string; family: 4 | 6 } | { ok: false; refusal: Refusal };

/**
 * Checks an endpoint at delivery time: its scheme, then every address its host
 * resolves to (one private address refuses the whole host: a DNS answer can
 * rotate). The caller connects to the address returned, never resolving again,
 * so a rebinding DNS cannot swap in a private address between check and connect.
 */
export async function resolveEndpoint(url: URL, policy: EndpointPolicy): Promise<Resolved> {
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) return { ok: false, refusal: 'http_not_allowed' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  try {
    addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true, verbatim: true });
  } catch {
    return { ok: false, refusal: 'dns_failed' };
  }
  if (addresses.length === 0) return { ok: false, refusal: 'dns_failed' };
  if (!policy.allowPrivate && addresses.some((a) => !isPublicAddress(a.address))) return { ok: false, refusal: 'address_not_allowed' };
  return { ok: true, address: addresses[0].address, family: addresses[0].family === 6 ? 6 : 4 };
}
