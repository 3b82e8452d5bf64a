// The OpenAI surface, mounted at /openai: Responses for Codex CLI (`/responses`, `/v1/responses`, `…/compact`)
// served natively by OpenAI accounts, Chat Completions (Claude models converted to the Claude pool, others passed
// through), and the model list. Errors in OpenAI's shape.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { modelAllowed, serviceAllowed } from '../../../accounting/limits.js';
import type { ApiKey } from '../../../core/api-key.js';
import { RelayError } from '../../../core/errors.js';
import { OPS, type Operation } from '../../../providers/types.js';
import { OPENAI_MODELS } from '../../../providers/openai-api/models.js';
import { responsesConversationId } from '../../../scheduling/session-id.js';
import { readJsonFields, toCatalogueError, useRawBodies } from '../../request-body.js';
import { CLAUDE_MODELS } from '../anthropic/models.js';
import { modelOf, presentedKey, relayPost, runRelay, type RelaySurfaceDeps } from '../relay-route.js';
import { chatHandler } from './chat.js';
import { openaiChatErrors, openaiResponsesErrors } from './errors.js';

export type OpenAISurfaceDeps = RelaySurfaceDeps;

/** Renders any error of a route in the OpenAI shape (also used by the chat route mounted under /api). */
export function openaiErrorHandler(deps: { log: OpenAISurfaceDeps['log']; requestMaxBytes: number }) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const e = toCatalogueError(err, deps.requestMaxBytes);
    if (e.code === 'INTERNAL') deps.log.error({ err, requestId: request.id }, 'request failed');
    const r = openaiChatErrors.json(e, request.id);
    void reply.code(r.status).headers(r.headers).send(r.body);
  };
}

const CREATED = Math.floor(Date.UTC(2026, 0, 1) / 1000);

/** The models a key may use, in OpenAI's list shape: Claude models (served by conversion) and OpenAI models. */
function modelList(key: ApiKey, which: 'all' | 'claude') {
  const ids = [
    ...(serviceAllowed(key.limits, 'claude') ? CLAUDE_MODELS.map((m) => m.id) : []),
    ...(which === 'all' && serviceAllowed(key.limits, 'openai') ? OPENAI_MODELS : []),
  ].filter((id) => modelAllowed(key.limits, id));
  return { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: CREATED, owned_by: id.startsWith('claude-') ? 'anthropic' : 'openai' })) };
}

export async function openaiSurface(app: FastifyInstance, deps: OpenAISurfaceDeps): Promise<void> {
  useRawBodies(app);
  const errorHandler = openaiErrorHandler(deps);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    const r = openaiChatErrors.json(new RelayError('NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`), request.id);
    void reply.code(r.status).headers(r.headers).send(r.body);
  });

  const responses = (op: Operation, endpoint: string) => async (request: FastifyRequest, reply: FastifyReply) => {
    const startedAt = deps.clock.now();
    const fields = readJsonFields(request.body);
    const json = fields.view();
    const model = modelOf(json);
    return runRelay(deps, request, reply, startedAt, {
      service: 'openai',
      endpoint,
      op,
      query: '',
      body: request.body as Buffer,
      json,
      object: () => fields.object(),
      model,
      conversation: responsesConversationId(json, request.headers),
      stream: json.stream === true,
      record: true,
      errors: openaiResponsesErrors,
    });
  };
  for (const base of ['', '/v1']) {
    relayPost(app, deps, `${base}/responses`, responses(OPS.openaiResponses, '/v1/responses'), errorHandler);
    relayPost(app, deps, `${base}/responses/compact`, responses(OPS.openaiResponsesCompact, '/v1/responses/compact'), errorHandler);
    // Codex may try Responses over WebSocket first; a clean refusal makes it fall back to HTTP at once.
    app.get(`${base}/responses`, async (request, reply) => {
      const upgrade = String(request.headers.upgrade ?? '').toLowerCase() === 'websocket';
      const err = new RelayError('NOT_FOUND', upgrade ? 'WebSocket is not supported here; use HTTP POST with stream: true' : 'Use POST to create a response');
      const r = openaiResponsesErrors.json(err, request.id);
      return reply
        .code(upgrade ? 426 : 405)
        .headers(r.headers)
        .send(r.body);
    });
    relayPost(app, deps, `${base}/chat/completions`, chatHandler(deps, { forceClaude: false }), errorHandler);
    app.get(`${base}/models`, async (request) => modelList(await deps.keys.authenticate(presentedKey(request.headers)), 'all'));
  }
  relayPost(app, deps, '/claude/v1/chat/completions', chatHandler(deps, { forceClaude: true }), errorHandler);
  relayPost(app, deps, '/gemini/v1/chat/completions', chatHandler(deps, { forceClaude: false, forceGemini: true }), errorHandler);
  app.get('/claude/v1/models', async (request) => modelList(await deps.keys.authenticate(presentedKey(request.headers)), 'claude'));
}
