// Records every request the fake upstream receives, before it is answered.
import type { IncomingMessage } from 'node:http';

/** One received request, as the relay sent it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Query parameters (last value wins). */
  query: Record<string, string>;
  /** Lowercased header names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  /** Raw body bytes. */
  body: Buffer;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  json: any;
  /** The body's fields when it is `application/x-www-form-urlencoded` (e.g. OpenAI token calls), else undefined. */
  form?: Record<string, string>;
  /** Date.now() when the body was fully received. */
  at: number;
}

/** Parses the URL parts of a request. */
export function splitUrl(rawUrl: string | undefined): { path: string; query: Record<string, string> } {
  const url = new URL(rawUrl ?? '/', 'http://fake.invalid');
  return { path: url.pathname, query: Object.fromEntries(url.searchParams) };
}

export function recordRequest(req: IncomingMessage, body: Buffer): RecordedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  let json: any;
  if (body.length > 0) {
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      json = undefined;
    }
  }
  const form = /^application\/x-www-form-urlencoded/i.test(headers['content-type'] ?? '')
    ? Object.fromEntries(new URLSearchParams(body.toString('utf8')))
    : undefined;
  return { method: req.method ?? 'GET', ...splitUrl(req.url), headers, body, json, form, at: Date.now() };
}
