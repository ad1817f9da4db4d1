import { isIPv6 } from 'node:net';

/**
 * The address a budget counts: an IPv4 address as it is; an IPv6 one by its /64, the block one subscriber
 * is given (one host can take any of its 2^64 addresses, so counting single ones would count nothing).
 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address.
 */
export function addressKey(ip: string): string {
  if (!isIPv6(ip)) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  return `${expand(ip).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, without leading zeros, any zone id dropped. */
function expand(ip: string): string[] {
  const [head = '', tail] = ip.split('%')[0]!.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (::1.2.3.4) takes two groups; it only matters past the /64.
  const fill = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(Math.max(0, fill)).fill('0'), ...right].map((group) => group.replace(/^0+(?=.)/, ''));
}
