import { isIPv4, isIPv6 } from "node:net";

/**
 * The key per-address rate limits count on (docs/decisions/025). One client has
 * many spellings of its address: IPv4 arrives as "::ffff:192.0.2.1" on a
 * dual-stack socket, and one IPv6 subscriber holds a whole /64, so an attacker
 * could rotate through addresses for free. IPv4 is kept as it is, IPv6 is cut
 * to its /64.
 */
export function addressKey(address: string | undefined): string {
  if (!address) return "unknown";
  const ip = address.replace(/%.*$/, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return "unknown";
  const groups = expandIPv6(ip);
  return `${groups.slice(0, 4).join(":")}::/64`;
}

function expandIPv6(ip: string): string[] {
  const [head = "", tail] = ip.toLowerCase().split("::");
  const part = (s: string) => (s ? s.split(":") : []).flatMap((g) => (g.includes(".") ? ipv4Groups(g) : [g]));
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const zeros = Array(8 - left.length - right.length).fill("0");
  return [...left, ...zeros, ...right].map((g) => parseInt(g, 16).toString(16));
}

function ipv4Groups(v4: string): string[] {
  const [a, b, c, d] = v4.split(".").map(Number) as [number, number, number, number];
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}
