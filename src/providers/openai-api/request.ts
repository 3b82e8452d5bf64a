// Headers between the client and an OpenAI-style upstream. Allow-lists in both directions: the client's key,
// cookies, forwarding and hop-by-hop headers never go upstream; Codex's session, turn and rate-limit headers do
// (CLIENTS 2.1), and the rate-limit headers come back (Codex reads x-codex-*).
import type { IncomingHttpHeaders } from 'node:http';

const TO_UPSTREAM_EXACT = new Set([
  'content-type',
  'accept',
  'accept-language',
  'user-agent',
  'originator',
  'version',
  'openai-beta',
  'session_id',
  'session-id',
  'thread-id',
  'conversation_id',
  'x-client-request-id',
]);
const TO_UPSTREAM_PREFIXES = ['x-stainless-', 'x-codex-'];

export function openaiRequestHeaders(client: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in client) {
    if (TO_UPSTREAM_EXACT.has(name) || TO_UPSTREAM_PREFIXES.some((p) => name.startsWith(p))) {
      const v = client[name];
      if (v !== undefined) out[name] = Array.isArray(v) ? v.join(', ') : v;
    }
  }
  out['content-type'] = 'application/json';
  // Identity so the usage tap reads plain bytes (a zstd/gzip body would have to be decoded to be read).
  out['accept-encoding'] = 'identity';
  return out;
}

const TO_CLIENT_EXACT = new Set(['content-type', 'x-request-id', 'openai-processing-ms', 'openai-version', 'retry-after', 'retry-after-ms', 'x-should-retry']);
const TO_CLIENT_PREFIXES = ['x-ratelimit-', 'x-codex-'];

export function openaiResponseHeaders(upstream: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in upstream) {
    if (TO_CLIENT_EXACT.has(name) || TO_CLIENT_PREFIXES.some((p) => name.startsWith(p))) {
      const v = upstream[name];
      if (v !== undefined) out[name] = v;
    }
  }
  return out;
}
