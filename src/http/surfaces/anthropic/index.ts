// The Anthropic Messages surface, mounted at /api and /claude: messages (stream and not), count_tokens,
// models, and the small endpoints Claude Code calls.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { RelayError } from '../../../core/errors.js';
import { relay, sendRelayError, type RelayDeps } from '../../../relay/relay.js';
import type { ApiKeyService } from '../../../services/api-keys.js';
import type { Clock } from '../../../core/clock.js';
import type { Logger } from '../../../platform/logger.js';
import { parseJsonObject, toCatalogueError, useRawBodies } from '../../request-body.js';
import { conversationId } from '../../../scheduling/session-id.js';
import { modelAllowed } from '../../../accounting/limits.js';
import type { ApiKey } from '../../../core/api-key.js';
import { identifyClient } from '../../../core/client-id.js';
import type { KeyGate } from '../../../services/key-gate.js';
import type { Store } from '../../../store/types.js';
import { keyHolderView } from '../../stats/index.js';
import { WindowLimiter } from '../../stats/rate-limit.js';
import type { RelayJob } from '../../../relay/types.js';
import { anthropicErrors } from './errors.js';
import { CLAUDE_MODELS, modelPage, type ModelPageQuery } from './models.js';

export interface AnthropicSurfaceDeps {
  keys: ApiKeyService;
  gate: KeyGate;
  store: Store;
  timezoneOffsetHours: number;
  relay: RelayDeps;
  clock: Clock;
  log: Logger;
  requestMaxBytes: number;
}

/** The relay key the client presented: `x-api-key`, else `Authorization: Bearer`. */
export function presentedKey(h: IncomingHttpHeaders): string | undefined {
  const x = h['x-api-key'];
  if (typeof x === 'string' && x) return x.trim();
  const auth = h.authorization;
  if (typeof auth === 'string' && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim();
  return undefined;
}

/** The key's Claude binding: a dedicated account, or `group:<id>`. */
export function bindingOf(key: ApiKey): RelayJob['binding'] {
  const b = key.limits.claudeAccountId;
  if (!b) return undefined;
  const allowFallback = key.limits.dedicatedFallback;
  return b.startsWith('group:') ? { groupId: b.slice(6), allowFallback } : { accountId: b, allowFallback };
}

function queryString(url: string): string {
  const i = url.indexOf('?');
  return i === -1 ? '' : url.slice(i);
}

export async function anthropicSurface(app: FastifyInstance, deps: AnthropicSurfaceDeps): Promise<void> {
  useRawBodies(app);

  app.setErrorHandler((err, request, reply) => {
    const e = toCatalogueError(err, deps.requestMaxBytes);
    if (e.code === 'INTERNAL') deps.log.error({ err, requestId: request.id }, 'request failed');
    const r = anthropicErrors.json(e, request.id);
    void reply.code(r.status).headers(r.headers).send(r.body);
  });
  app.setNotFoundHandler((request, reply) => {
    const r = anthropicErrors.json(new RelayError('NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`), request.id);
    void reply.code(r.status).headers(r.headers).send(r.body);
  });

  const forward = (endpoint: string, record: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    const startedAt = deps.clock.now();
    const key = await deps.keys.authenticate(presentedKey(request.headers));
    const json = parseJsonObject(request.body);
    if (typeof json.model !== 'string' || json.model === '') throw new RelayError('BAD_REQUEST', 'model: a model name is required');
    const admission = await deps.gate.admit(key, { service: 'claude', model: json.model, client: identifyClient(request.headers, json), countOnly: !record });
    reply.hijack();
    const job = {
      requestId: request.id,
      startedAt,
      key,
      endpoint,
      upstreamPath: endpoint + queryString(request.url),
      accountKind: 'anthropic-api' as const,
      body: request.body as Buffer,
      json,
      model: json.model,
      conversation: record ? conversationId(json, request.headers) : null,
      binding: bindingOf(key),
      admission,
      stream: json.stream === true,
      record,
      clientHeaders: request.headers,
      res: reply.raw,
      errors: anthropicErrors,
    };
    try {
      await relay(deps.relay, job);
    } catch (e) {
      // relay() answers every error itself; this is the last line of defence
      deps.log.error({ err: e, requestId: request.id }, 'relay crashed');
      sendRelayError(reply.raw, job, new RelayError('INTERNAL'));
    }
  };

  app.post('/v1/messages', forward('/v1/messages', true));
  app.post('/v1/messages/count_tokens', forward('/v1/messages/count_tokens', false));

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
  const lookups = new WindowLimiter(120, 60_000);
  const keyInfo = async (request: FastifyRequest, presented: string | undefined) => {
    lookups.hit(request.ip);
    return keyHolderView({ store: deps.store, clock: deps.clock, timezoneOffsetHours: deps.timezoneOffsetHours }, await deps.keys.authenticate(presented));
  };
  app.get('/v1/key-info', async (request) => keyInfo(request, presentedKey(request.headers)));
  app.post('/v1/key-info', async (request) => {
    const body = parseJsonObject(request.body);
    return keyInfo(request, typeof body.key === 'string' ? body.key.trim() : presentedKey(request.headers));
  });
  app.get('/v1/me', async (request) => {
    const key = await deps.keys.authenticate(presentedKey(request.headers));
    return { id: `user_${key.id}`, type: 'user', display_name: key.name };
  });
  // Claude Code's telemetry (it posts to <base>/api/event_logging/batch): accepted and dropped, never forwarded.
  app.post('/api/event_logging/batch', async () => ({ success: true }));
  // Claude Code probes its base URL with HEAD / before the first request (HEAD is derived from GET).
  app.get('/', async () => ({ service: 'claude-relay-service', api: 'anthropic' }));
}
