// The Gemini surface, mounted at /gemini: `models/{model}:generateContent|streamGenerateContent|countTokens` under
// /v1beta and /v1 (served by gemini-api accounts natively and by gemini-oauth accounts through Code Assist), the
// model list, and Gemini CLI's Code Assist methods. The relay key comes in x-goog-api-key, ?key= or a bearer token
// and is never forwarded. Errors in Google's shape.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RelayError } from '../../../core/errors.js';
import { OPS, type Operation } from '../../../providers/types.js';
import { parseJsonObject, toCatalogueError, useRawBodies } from '../../request-body.js';
import { authenticateFirst, forwardedQuery, runRelay, type RelaySurfaceDeps } from '../relay-route.js';
import { codeAssistRoutes } from './code-assist.js';
import { geminiErrors } from './errors.js';
import { modelDetail, modelList } from './models.js';
import { geminiConversationId, geminiKey, modelAndMethod } from './request-info.js';

export interface GeminiSurfaceDeps extends RelaySurfaceDeps {
  requestMaxBytes: number;
}

const OP_OF: Record<string, Operation> = {
  generateContent: OPS.geminiGenerate,
  streamGenerateContent: OPS.geminiStream,
  countTokens: OPS.geminiCountTokens,
};

export async function geminiSurface(app: FastifyInstance, deps: GeminiSurfaceDeps): Promise<void> {
  useRawBodies(app);
  app.setErrorHandler((err, request, reply) => {
    const e = toCatalogueError(err, deps.requestMaxBytes);
    if (e.code === 'INTERNAL') deps.log.error({ err, requestId: request.id }, 'request failed');
    const r = geminiErrors.json(e, request.id);
    void reply.code(r.status).headers(r.headers).send(r.body);
  });
  app.setNotFoundHandler((request, reply) => {
    const r = geminiErrors.json(new RelayError('NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`), request.id);
    void reply.code(r.status).headers(r.headers).send(r.body);
  });
  const authFirst = authenticateFirst(deps.keys, geminiKey);

  const generate = (version: string) => async (request: FastifyRequest, reply: FastifyReply) => {
    const startedAt = deps.clock.now();
    const { model, method } = modelAndMethod((request.params as { target: string }).target);
    const op = OP_OF[method];
    if (!op) throw new RelayError('NOT_FOUND', `models/${model}:${method} is not supported by this relay`);
    const json = parseJsonObject(request.body);
    const metered = method !== 'countTokens';
    return runRelay(deps, request, reply, startedAt, {
      service: 'gemini',
      counted: metered,
      endpoint: `/${version}/models:${method}`,
      op,
      // Only `alt` (sse or the JSON-array stream) goes upstream; never `key`.
      query: forwardedQuery(request.url, ['alt']),
      body: request.body as Buffer,
      json,
      model,
      conversation: metered ? geminiConversationId(json) : null,
      stream: method === 'streamGenerateContent',
      record: metered,
      errors: geminiErrors,
    });
  };

  for (const version of ['v1beta', 'v1']) {
    app.post(`/${version}/models/:target`, { onRequest: authFirst }, generate(version));
    app.get(`/${version}/models`, { onRequest: authFirst }, async (request) =>
      modelList(request.relayKey!, request.query as { pageSize?: string; pageToken?: string }),
    );
    app.get(`/${version}/models/:target`, { onRequest: authFirst }, async (request) =>
      modelDetail(request.relayKey!, (request.params as { target: string }).target),
    );
  }
  codeAssistRoutes(app, deps);
}
