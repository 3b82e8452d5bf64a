// Requests that reach no surface's own handlers: a URL the router cannot read (broken percent-encoding, answered
// by Fastify's frameworkErrors) and a path that matches no route at all (dot segments climbing out of a surface,
// unknown top-level paths). Each is answered in the error shape of the surface its URL names, like every other
// error there, instead of Fastify's default body (which also echoed the URL back).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RelayError } from '../core/errors.js';
import type { ErrorRenderer } from '../relay/types.js';
import { adminErrorBody } from './admin/errors.js';
import { anthropicErrors } from './surfaces/anthropic/errors.js';
import { geminiErrors } from './surfaces/gemini/errors.js';
import { openaiChatErrors } from './surfaces/openai/errors.js';

/** The renderer of the surface a raw URL names; null for the admin shape (admin, stats, web and the rest). */
export function rendererFor(url: string): ErrorRenderer | null {
  if (url.startsWith('/openai') || /^\/(api|claude)\/v1\/chat\/completions/.test(url)) return openaiChatErrors;
  if (url.startsWith('/gemini')) return geminiErrors;
  if (/^\/(api|claude)(\/|$|\?)/.test(url)) return anthropicErrors;
  return null;
}

function send(request: FastifyRequest, reply: FastifyReply, err: RelayError): void {
  const r = rendererFor(request.raw.url ?? request.url);
  if (r) {
    const out = r.json(err, request.id);
    void reply.code(out.status).headers(out.headers).send(out.body);
  } else {
    void reply
      .code(err.status)
      .header('content-type', 'application/json')
      .send(JSON.stringify(adminErrorBody(err, request.id)));
  }
}

/** Fastify's `frameworkErrors` option: the router refused the URL before any route ran. */
export function frameworkErrors(error: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply): void {
  const bad = error.code === 'FST_ERR_BAD_URL' ? 'The request URL is not valid (malformed percent-encoding)' : 'The request could not be routed';
  send(request, reply, new RelayError('BAD_REQUEST', bad));
}

/** The root not-found handler (surfaces have their own for the paths under them). */
export function rootNotFound(request: FastifyRequest, reply: FastifyReply): void {
  send(request, reply, new RelayError('NOT_FOUND', `No route for ${request.method} ${(request.raw.url ?? request.url).split('?')[0].slice(0, 200)}`));
}
