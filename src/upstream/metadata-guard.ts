// Cloud metadata endpoints are never a legitimate upstream or proxy: reaching one from the relay would hand its
// instance credentials to whoever controls an account's URL. Checked twice: on the URL an admin enters (every
// spelling of an address normalised: hex, octal, integer and short IPv4 forms, IPv4-mapped/NAT64 IPv6) and on
// the address actually dialled (a DNS lookup wrapper and a literal-address check in the connector), so a host
// name that resolves to a metadata address is refused too. Loopback and private ranges stay allowed: intranet
// relays and the tests' fake upstream use them.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import type { buildConnector } from 'undici';

/** Exact metadata addresses outside link-local (169.254.0.0/16 is refused whole). */
const METADATA_V4 = new Set(['100.100.100.200', '192.0.0.192']);
const METADATA_V6 = new Set(['fd00:ec2:0:0:0:0:0:254']);
const METADATA_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.tencentyun.com',
  'instance-data',
  'instance-data.ec2.internal',
]);

/** IPv4 in any form `inet_aton` accepts (`0xa9fea9fe`, `0251.0376.0251.0376`, `2852039166`, `169.254.43518`), dotted; else null. */
export function parseIPv4Loose(host: string): string | null {
  const parts = host.split('.');
  if (parts.length < 1 || parts.length > 4) return null;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/i.test(p)) n = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]+$/.test(p)) n = parseInt(p, 8);
    else if (/^(0|[1-9]\d*)$/.test(p)) n = Number(p);
    else return null;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255) || last >= 256 ** (4 - nums.length)) return null;
  let value = last;
  nums.forEach((n, i) => (value += n * 256 ** (3 - i)));
  return [24, 16, 8, 0].map((s) => Math.floor(value / 2 ** s) % 256).join('.');
}

/** The eight groups of an IPv6 address as numbers (an embedded dotted IPv4 tail included), or null. */
function ipv6Groups(addr: string): number[] | null {
  if (isIP(addr) !== 6) return null;
  let a = addr.toLowerCase().replace(/%.*$/, '');
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (v4) {
    const o = v4[1].split('.').map(Number);
    a = a.slice(0, -v4[1].length) + `${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const [head, tail] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.length === 8 ? groups.map((g) => parseInt(g, 16)) : null;
}

/** The IPv4 address an IPv6 one stands for (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible, NAT64 `64:ff9b::/96`). */
function embeddedIPv4(g: number[]): string | null {
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  const mapped = zero(0, 5) && (g[5] === 0xffff || g[5] === 0);
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6);
  if (!mapped && !nat64) return null;
  if (zero(0, 8) || (zero(0, 7) && g[7] === 1)) return null; // :: and ::1 are not IPv4
  return [g[6] >> 8, g[6] & 255, g[7] >> 8, g[7] & 255].join('.');
}

function isMetadataV4(dotted: string): boolean {
  return dotted.startsWith('169.254.') || METADATA_V4.has(dotted);
}

/** True for a metadata address given as a canonical IP string (what DNS answers and sockets report). */
export function isMetadataAddress(ip: string): boolean {
  const v = isIP(ip);
  if (v === 4) return isMetadataV4(ip);
  if (v !== 6) return false;
  const g = ipv6Groups(ip);
  if (!g) return false;
  const v4 = embeddedIPv4(g);
  if (v4) return isMetadataV4(v4);
  return METADATA_V6.has(g.map((x) => x.toString(16)).join(':'));
}

/** True for a URL host (bracketed IPv6, any IPv4 spelling, or a name) that is, or spells, a metadata endpoint. */
export function isMetadataHost(rawHost: string): boolean {
  const host = rawHost
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  if (METADATA_NAMES.has(host)) return true;
  if (isIP(host) === 6) return isMetadataAddress(host);
  const v4 = parseIPv4Loose(host);
  return v4 !== null && isMetadataV4(v4);
}

/** The error a refused connection fails with (a network failure to the relay: the account cools down). */
export function metadataRefused(host: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`Refused to connect to a cloud metadata address (${host})`);
  e.code = 'ECONNREFUSED_METADATA';
  return e;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** `dns.lookup` for sockets (`net.connect({lookup})`): fails when any address the name resolves to is a metadata one. */
export function guardedLookup(hostname: string, options: object, callback: LookupCallback): void {
  dnsLookup(
    hostname,
    options as never,
    ((err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => {
      if (err) return callback(err, address);
      const all = Array.isArray(address) ? address.map((a) => a.address) : [address];
      if (all.some(isMetadataAddress)) return callback(metadataRefused(hostname), Array.isArray(address) ? [] : '');
      callback(null, address, family);
    }) as never,
  );
}

/** Wraps an undici connector: a metadata literal is refused before dialling (net.connect skips lookup for IPs). */
export function guardConnector(connector: buildConnector.connector): buildConnector.connector {
  return (opts, callback) => {
    if (isMetadataHost(opts.hostname)) {
      callback(metadataRefused(opts.hostname), null);
      return;
    }
    connector(opts, callback);
  };
}
