// Identifiers: random UUIDs for records, short prefixed ids for requests.
import { randomBytes, randomUUID } from 'node:crypto';

export function newId(): string {
  return randomUUID();
}

// Request ids need uniqueness, not secrecy: a random per-process prefix and a counter (no entropy per request).
const PROCESS_PREFIX = randomBytes(9).toString('base64url');
let requestCounter = 0;

/** A unique request id in the style upstreams use: `req_` + 12 random chars + a counter. */
export function newRequestId(): string {
  requestCounter = (requestCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `req_${PROCESS_PREFIX}${requestCounter.toString(36).padStart(8, '0')}`;
}
