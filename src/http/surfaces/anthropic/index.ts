// The Anthropic Messages surface, mounted at /api and /claude: messages (stream and not), count_tokens,
// models, and the small endpoints Claude Code calls.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RelayError } from '../../../core/errors.js';
import { OPS, type Operation } from '../../../providers/types.js';
import { forwardedQuery, modelName, presentedKey, relayPost, runRelay, type RelaySurfaceDeps } from '../relay-route.js';
import { parseJsonObject, readJsonFields, toCatalogueError, useRawBodies } from '../../request-body.js';
import { conversationId } from '../../../scheduling/session-id.js';
import { modelAllowed } from '../../../accounting/limits.js';
import type { ApiKey } from '../../../core/api-key.js';
import type { UsageQueries } from '../../../accounting/usage-queries.js';
import { keyHolderView } from '../../stats/index.js';
import { AddressLimiter } from '../../stats/rate-limit.js';
import { anthropicErrors } from './errors.js';
import { PUBLIC_BODY_LIMIT } from '../../web-auth.js';
import { chatHandler } from '../openai/chat.js';
import { openaiErrorHandler } from '../openai/index.js';
import { CLAUDE_MODELS, modelPage, type ModelPageQuery } from './models.js';

export interface AnthropicSurfaceDeps extends RelaySurfaceDeps {
  usage: UsageQueries;
  timezoneOffsetHours: number;
}

export async function anthropicSurface(app: FastifyInstance, deps: AnthropicSurfaceDeps): Promise<void> {
  useRawBodies(app);

  const errorHandler = (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const e = toCatalogueError(err, deps.requestMaxBytes);
    if (e.code === 'INTERNAL') deps.log.error({ err, requestId: request.id }, 'request failed');
    const r = anthropicErrors.json(e, request.id);
    void reply.code(r.status).headers(r.headers).send(r.body);
  };
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    const r = anthropicErrors.json(new RelayError('NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`), request.id);
    void reply.code(r.status).headers(r.headers).send(r.body);
  });

  const forward = (endpoint: string, op: Operation, record: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    const startedAt = deps.clock.now();
    const fields = readJsonFields(request.body);
    const json = fields.view();
    // The fields read here come from the reader itself (a read through the view is a proxy trap).
    const model = modelName(fields.get('model'));
    return runRelay(deps, request, reply, startedAt, {
      service: 'claude',
      counted: record,
      endpoint,
      op,
      query: forwardedQuery(request.url, ['beta']),
      body: request.body as Buffer,
      json,
      object: () => fields.object(),
      model,
      conversation: record ? conversationId(json, request.headers) : null,
      stream: fields.get('stream') === true,
      record,
      errors: anthropicErrors,
    });
  };

  relayPost(app, deps, '/v1/messages', forward('/v1/messages', OPS.anthropicMessages, true), errorHandler);
  relayPost(app, deps, '/v1/messages/count_tokens', forward('/v1/messages/count_tokens', OPS.anthropicCountTokens, false), errorHandler);
  // OpenAI Chat Completions under the Claude base URL too (the reference project's unified route), in OpenAI's shape.
  relayPost(app, deps, '/v1/chat/completions', chatHandler(deps, { forceClaude: false }), openaiErrorHandler(deps));

  // Models the key may not use are not listed either.
  const visibleModels = (key: ApiKey) => CLAUDE_MODELS.filter((m) => modelAllowed(key.limits, m.id));
  app.get('/v1/models', async (request) => {
    const key = await deps.keys.authenticate(presentedKey(request.headers));
    return modelPage(visibleModels(key), request.query as ModelPageQuery);
  });
  app.get('/v1/models/:id', async (request) => {
    const key = await deps.keys.authenticate(presentedKey(request.headers));
    const m = visibleModels(key).find((x) => x.id === (request.params as { id: string }).id);
    if (!m) throw new RelayError('NOT_FOUND', `model: ${(request.params as { id: string }).id}`);
    return m;
  });
  // The key holder's own limits, window state, usage and cost (a Claude Code status line can call it).
  // Rate-limited per address, so it cannot be used to guess keys.
  const lookups = new AddressLimiter(120, 60_000, deps.clock);
  const keyInfo = async (request: FastifyRequest, presented: string | undefined) => {
    lookups.hit(request.ip);
    return keyHolderView({ usage: deps.usage, clock: deps.clock, timezoneOffsetHours: deps.timezoneOffsetHours }, await deps.keys.authenticate(presented));
  };
  app.get('/v1/key-info', async (request) => keyInfo(request, presentedKey(request.headers)));
  app.post('/v1/key-info', { bodyLimit: PUBLIC_BODY_LIMIT }, async (request) => {
    const body = parseJsonObject(request.body);
    return keyInfo(request, typeof body.key === 'string' ? body.key.trim() : presentedKey(request.headers));
  });
  app.get('/v1/me', async (request) => {
    const key = await deps.keys.authenticate(presentedKey(request.headers));
    return { id: `user_${key.id}`, type: 'user', display_name: key.name };
  });
  // Claude Code's telemetry (it posts to <base>/api/event_logging/batch): accepted and dropped, never forwarded.
  // It needs no key, so its body is capped small.
  app.post('/api/event_logging/batch', { bodyLimit: PUBLIC_BODY_LIMIT }, async () => ({ success: true }));
  // Claude Code probes its base URL with HEAD / before the first request (HEAD is derived from GET).
  app.get('/', async () => ({ service: 'claude-relay-service', api: 'anthropic' }));
}
