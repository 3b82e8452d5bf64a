// TRUST_PROXY: which reverse proxies may set X-Forwarded-For. Trusting every hop (the old `true`) let a client
// pick its own address by sending the header itself, which defeated the per-address login and lookup limits.
import { isIP } from 'node:net';

/**
 * What Fastify's `trustProxy` gets: false (the socket address is the client), a hop count (the client is the
 * address that many proxies back: 1 = the last X-Forwarded-For entry, the one our proxy added), or the proxies'
 * addresses/CIDRs (entries added by those addresses are skipped, the first other one is the client).
 */
export type TrustProxy = false | number | string[];

/** proxy-addr's names for address ranges. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function validEntry(s: string): boolean {
  if (NAMED_RANGES.has(s)) return true;
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  const version = isIP(addr);
  if (version === 0) return false;
  if (slash < 0) return true;
  const bits = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (version === 4 ? 32 : 128);
}

/**
 * Parses TRUST_PROXY: `true`/`false` (kept for compatibility: 1 hop / none), a hop count (`2`), or a
 * comma-separated list of proxy addresses and CIDRs (`10.0.0.0/8,127.0.0.1`). Null when the value is none of these.
 */
export function parseTrustProxy(raw: string): TrustProxy | null {
  const v = raw.trim().toLowerCase();
  if (v === '' || v === 'false' || v === 'no' || v === '0') return false;
  if (v === 'true' || v === 'yes') return 1;
  if (/^\d+$/.test(v)) return Number(v) <= 32 ? Number(v) : null;
  const list = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return list.length > 0 && list.every(validEntry) ? list : null;
}
