// Headers between the client and an Anthropic upstream. Allow-lists in both directions: the client's key,
// cookies, forwarding and hop-by-hop headers never go upstream; only useful headers come back.
import type { IncomingHttpHeaders } from 'node:http';

const TO_UPSTREAM_EXACT = new Set([
  'anthropic-version',
  'anthropic-beta',
  'anthropic-dangerous-direct-browser-access',
  'content-type',
  'accept',
  'accept-language',
  'user-agent',
  'x-app',
  'x-claude-code-session-id',
  'x-client-request-id',
]);
const TO_UPSTREAM_PREFIX = 'x-stainless-';

export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

/** Request headers for the upstream: the allowed client headers (the account's auth is applied after). */
export function upstreamRequestHeaders(client: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in client) {
    if (TO_UPSTREAM_EXACT.has(name) || name.startsWith(TO_UPSTREAM_PREFIX)) {
      const v = client[name];
      if (v !== undefined) out[name] = Array.isArray(v) ? v.join(', ') : v;
    }
  }
  out['anthropic-version'] ??= DEFAULT_ANTHROPIC_VERSION;
  out['content-type'] = 'application/json';
  // Identity so the usage tap reads plain bytes and the client gets exactly what the upstream meant.
  out['accept-encoding'] = 'identity';
  return out;
}

const TO_CLIENT_EXACT = new Set(['content-type', 'request-id', 'retry-after', 'retry-after-ms', 'x-should-retry']);
const TO_CLIENT_PREFIX = 'anthropic-ratelimit-';

/** Response headers for the client, from undici's header object. */
export function clientResponseHeaders(upstream: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in upstream) {
    if (TO_CLIENT_EXACT.has(name) || name.startsWith(TO_CLIENT_PREFIX)) {
      const v = upstream[name];
      if (v !== undefined) out[name] = v;
    }
  }
  return out;
}
