// Relay surfaces keep the raw request bytes (forwarded unchanged) and parse JSON once, themselves,
// so a malformed body gets the surface's own 400.
import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { RelayError } from '../core/errors.js';
import { JsonFields } from '../platform/json-fields.js';

type Done = (err: Error | null, body?: Buffer) => void;

/**
 * Reads a request body as bytes, with the checks of Fastify's own buffer parser: a declared length over the route's
 * limit is refused before a byte is read, a body that grows past it stops being collected, and a body whose length
 * differs from the declared one is a 400. Unlike Fastify's (`parseAs: 'buffer'` copies every body with
 * Buffer.concat), a body that arrived in one socket read is kept as that read's Buffer (node:http gives each read
 * its own memory): one body-sized allocation less per request. Those allocations are what V8 counts as external
 * memory between full GCs; with 60 KB bodies, one copy each was enough to keep it starting one full GC after another
 * (~10 per second at concurrency 1, p99 ~10 ms).
 */
function readBody(request: FastifyRequest, payload: IncomingMessage, done: Done): void {
  collectBody(payload, request.routeOptions.bodyLimit, done);
}

/** `readBody` for a request outside Fastify (fast-routes.ts): the same checks and errors, with the route's limit. */
export function collectBody(payload: IncomingMessage, limit: number, done: Done): void {
  const declared = Number(payload.headers['content-length']);
  if (declared > limit) {
    done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    return;
  }
  const chunks: Buffer[] = [];
  let received = 0;
  const stop = () => {
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onEnd);
  };
  function onData(chunk: Buffer): void {
    received += chunk.length;
    if (received > limit) {
      stop();
      done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      return;
    }
    chunks.push(chunk);
  }
  function onEnd(err?: Error & { statusCode?: number }): void {
    stop();
    if (err) {
      if (!(typeof err.statusCode === 'number' && err.statusCode >= 400)) err.statusCode = 400;
      done(err);
    } else if (!Number.isNaN(declared) && received !== declared) done(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
    else done(null, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
  }
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onEnd);
  payload.resume();
}

/** Makes every request body in this plugin scope a raw Buffer, whatever its Content-Type. */
export function useRawBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', readBody);
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
