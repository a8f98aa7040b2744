// Where webhooks may be sent. An endpoint is on a public address: Mentoring must not be turned
// into a way to reach its own network (a cloud's metadata service, a database). A live endpoint
// uses https; a test one may use http, and a server that allows it (a developer's machine, by
// default the embedded database's) sends test webhooks to loopback and private addresses too.
import { BlockList, isIP } from 'node:net';
import type { KeyMode } from '../auth/keys.js';

const privateAddresses = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  privateAddresses.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  privateAddresses.addSubnet(network, prefix, 'ipv6');
}

// Link-local: a cloud's metadata service (169.254.169.254) lives there. Refused even where test
// webhooks may go to private addresses: a developer's receiver is on loopback or the LAN.
// The same service by NAT64 (64:ff9b::a9fe:a9fe) and AWS's IPv6 metadata address are refused with it.
const linkLocalAddresses = new BlockList();
linkLocalAddresses.addSubnet('169.254.0.0', 16, 'ipv4');
linkLocalAddresses.addSubnet('fe80::', 10, 'ipv6');
linkLocalAddresses.addSubnet('64:ff9b::a9fe:0', 112, 'ipv6');
linkLocalAddresses.addAddress('fd00:ec2::254', 'ipv6');

/** Whether `address` (an IP) is loopback, private, link-local, reserved or multicast; IPv4-mapped IPv6 counts as its IPv4. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  return family === 0 || privateAddresses.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Whether `address` (an IP) is link-local, where no webhook goes on any server. */
export function isLinkLocalAddress(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && linkLocalAddresses.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Why `url` cannot receive the webhooks of a `mode` endpoint, or undefined when it can. */
export function endpointUrlProblem(url: string, mode: KeyMode, privateAddresses: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && mode === 'test')) {
    return mode === 'live' ? 'a live endpoint must use https://' : 'use https:// (or http:// in test mode)';
  }
  if (parsed.username !== '' || parsed.password !== '') return 'put no credentials in the URL; verify the signature instead';
  if (parsed.hash !== '') return 'a URL sent to has no #fragment';
  if (isLinkLocalAddress(parsed.hostname.replace(/^\[|\]$/g, ''))) return 'a link-local address (such as a cloud metadata service) never receives webhooks';
  if (mode === 'live' && !isPublicHost(parsed.hostname)) return 'a live endpoint must be on a public address';
  if (!privateAddresses && !isPublicHost(parsed.hostname)) return 'this server sends webhooks to public addresses only';
  return undefined;
}

function isPublicHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || (!host.includes('.') && isIP(host) === 0)) return false;
  return isIP(host) === 0 || !isPrivateAddress(host);
}
