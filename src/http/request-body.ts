// Relay surfaces keep the raw request bytes (forwarded unchanged) and parse JSON once, themselves,
// so a malformed body gets the surface's own 400.
import type { FastifyInstance } from 'fastify';
import { RelayError } from '../core/errors.js';
import { JsonFields } from '../platform/json-fields.js';

/** Makes every request body in this plugin scope a raw Buffer, whatever its Content-Type. */
export function useRawBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
}

/** Parses a JSON object body; anything else is the 400 BAD_JSON / BAD_REQUEST the client should see. */
export function parseJsonObject(body: unknown): Record<string, unknown> {
  if (!Buffer.isBuffer(body) || body.length === 0) throw new RelayError('BAD_JSON', 'Request body is empty; send a JSON object');
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new RelayError('BAD_JSON', `Request body is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new RelayError('BAD_REQUEST', 'Request body must be a JSON object');
  }
  return json as Record<string, unknown>;
}

/**
 * A JSON object body read lazily (json-fields.ts): the relay routes on a few top-level fields and forwards the
 * bytes. A body the scan refuses is parsed in full, so a malformed one gets exactly parseJsonObject's 400.
 */
export function readJsonFields(body: unknown): JsonFields {
  const fields = Buffer.isBuffer(body) && body.length > 0 ? JsonFields.scan(body) : null;
  return fields ?? JsonFields.of(body as Buffer, parseJsonObject(body));
}

/** Maps framework errors (body limit, media type, …) into the catalogue. */
export function toCatalogueError(err: unknown, maxBytes: number): RelayError {
  if (err instanceof RelayError) return err;
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.statusCode === 413) {
    return new RelayError('BODY_TOO_LARGE', `Request body is larger than the limit of ${Math.round(maxBytes / 1048576)} MB`);
  }
  if (e.statusCode === 415) return new RelayError('UNSUPPORTED_MEDIA_TYPE');
  if (e.statusCode === 400) return new RelayError('BAD_REQUEST', e.message);
  return new RelayError('INTERNAL', undefined, { cause: err });
}
