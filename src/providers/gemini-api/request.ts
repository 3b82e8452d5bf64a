// Headers between the client and a Gemini upstream (Developer API or Code Assist). Allow-lists both ways: the
// client's key (`x-goog-api-key`, `authorization`), cookies, forwarding and hop-by-hop headers never go upstream.
import type { IncomingHttpHeaders } from 'node:http';

const TO_UPSTREAM = new Set(['content-type', 'accept', 'accept-language', 'user-agent', 'x-goog-api-client']);

export function geminiRequestHeaders(client: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in client) {
    if (!TO_UPSTREAM.has(name)) continue;
    const v = client[name];
    if (v !== undefined) out[name] = Array.isArray(v) ? v.join(', ') : v;
  }
  out['content-type'] = 'application/json';
  // Identity so the usage tap reads plain bytes.
  out['accept-encoding'] = 'identity';
  return out;
}

const TO_CLIENT = new Set(['content-type', 'retry-after', 'server-timing', 'x-gemini-service-tier']);

export function geminiResponseHeaders(upstream: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in upstream) {
    if (!TO_CLIENT.has(name)) continue;
    const v = upstream[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}
