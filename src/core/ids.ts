// Identifiers: random UUIDs for records, short prefixed ids for requests.
import { randomBytes, randomUUID } from 'node:crypto';

export function newId(): string {
  return randomUUID();
}

/** A request id in the style upstreams use (`req_` + 24 base62-ish chars). */
export function newRequestId(): string {
  return 'req_' + randomBytes(12).toString('base64url');
}
