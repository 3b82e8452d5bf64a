// What every relay surface does around the relay loop: the key is checked from the headers before the body is
// read (a stranger cannot make the relay buffer a large body), the model name is checked at the edge, and the
// request is handed to the relay with the surface's error renderer.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { identifyClient } from '../../core/client-id.js';
import type { ApiKey, Service } from '../../core/api-key.js';
import type { Clock } from '../../core/clock.js';
import { RelayError } from '../../core/errors.js';
import type { Logger } from '../../platform/logger.js';
import { relay, sendRelayError, type RelayDeps } from '../../relay/relay.js';
import type { RelayJob } from '../../relay/types.js';
import type { ApiKeyService } from '../../keys/api-keys.js';
import type { AdmissionRequest, KeyGate } from '../../keys/key-gate.js';
import type { FastRoutes } from '../fast-routes.js';

export interface RelaySurfaceDeps {
  keys: ApiKeyService;
  gate: KeyGate;
  relay: RelayDeps;
  clock: Clock;
  log: Logger;
  /** The routes answered ahead of Fastify (fast-routes.ts); absent, every route is Fastify's alone. */
  fast?: FastRoutes;
  requestMaxBytes: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The relay key, authenticated from the headers before the body was read (relay routes only). */
    relayKey?: ApiKey;
  }
}

const bearer = (h: IncomingHttpHeaders): string | undefined => {
  const auth = h.authorization;
  return typeof auth === 'string' && /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, '').trim() : undefined;
};

/** The relay key the client presented: `x-api-key`, else `Authorization: Bearer`. */
export function presentedKey(h: IncomingHttpHeaders): string | undefined {
  const x = h['x-api-key'];
  if (typeof x === 'string' && x) return x.trim();
  return bearer(h);
}

/** An onRequest hook that authenticates the key (401 before any body byte is read). */
export function authenticateFirst(
  keys: ApiKeyService,
  present: (request: FastifyRequest) => string | undefined = (r) => presentedKey(r.headers),
): onRequestAsyncHookHandler {
  return async (request) => {
    request.relayKey = await keys.authenticate(present(request));
  };
}

type RouteHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
type RouteErrorHandler = (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => void;

/**
 * A relay POST route: the key authenticated first, the handler's errors rendered by `errorHandler` (the surface's
 * own). Registered with Fastify and, under the plugin's prefix, on the fast path ahead of it (fast-routes.ts).
 */
export function relayPost(app: FastifyInstance, deps: RelaySurfaceDeps, path: string, handler: RouteHandler, errorHandler: RouteErrorHandler): void {
  app.post(path, { onRequest: authenticateFirst(deps.keys), errorHandler }, handler);
  deps.fast?.add(app.prefix + path, { handler, errorHandler, keys: deps.keys, bodyLimit: deps.requestMaxBytes });
}

/** Longest model name the relay accepts; names are printable ASCII without spaces. */
export const MAX_MODEL_NAME = 200;
const MODEL_NAME = /^[\x21-\x7e]+$/;

/** The request's model, checked at the edge: it becomes part of usage records, logs and store fields. */
export function modelOf(json: Record<string, unknown>, field = 'model'): string {
  return modelName(json[field], field);
}

/** A model name as `modelOf` checks it, from the field's value. */
export function modelName(m: unknown, field = 'model'): string {
  if (typeof m !== 'string' || m === '') throw new RelayError('BAD_REQUEST', `${field}: a model name is required`);
  if (m.length > MAX_MODEL_NAME) throw new RelayError('BAD_REQUEST', `${field}: a model name has at most ${MAX_MODEL_NAME} characters`);
  if (!MODEL_NAME.test(m)) throw new RelayError('BAD_REQUEST', `${field}: a model name is printable ASCII without spaces`);
  return m;
}

/** The key's binding for a service: a dedicated account, or `group:<id>`. */
export function bindingOf(key: ApiKey, service: Service): RelayJob['binding'] {
  const b = service === 'claude' ? key.limits.claudeAccountId : service === 'openai' ? key.limits.openaiAccountId : key.limits.geminiAccountId;
  if (!b) return undefined;
  const allowFallback = key.limits.dedicatedFallback;
  return b.startsWith('group:') ? { groupId: b.slice(6), allowFallback } : { accountId: b, allowFallback };
}

/** The query string to forward: only the parameters the upstream operation knows, never the client's verbatim. */
export function forwardedQuery(url: string, allowed: readonly string[]): string {
  const i = url.indexOf('?');
  if (i === -1 || allowed.length === 0) return '';
  const q = new URLSearchParams(url.slice(i + 1));
  const out = new URLSearchParams();
  for (const name of allowed) {
    const v = q.get(name);
    if (v !== null && v.length <= 64) out.set(name, v);
  }
  const s = out.toString();
  return s ? `?${s}` : '';
}

const NO_BODY = Buffer.alloc(0);
const noJson = (): Record<string, unknown> => ({});

/** What a surface decided about one request; the rest of the job comes from the request itself. */
export type JobSpec = Omit<RelayJob, 'requestId' | 'startedAt' | 'key' | 'binding' | 'weeklyLabel' | 'clientHeaders' | 'res' | 'json'> & {
  service: Service;
  /** The upstream body's top-level fields (a plain object, or a lazy view of the raw bytes: json-fields.ts). */
  json: Record<string, unknown>;
  /** The whole body as an object, when `json` is a lazy view (parsed only if a rewrite needs it). */
  object?: () => Record<string, unknown>;
  /** The key's admission counts this request (false for count_tokens and the like). */
  counted?: boolean;
};

/**
 * What the key gate is asked. A request waiting in its key's concurrency queue leaves it as soon as the client goes
 * away; the signal for that is made only when the gate reads it (few requests wait; an AbortController per request
 * is measurable). A class, not an object literal with a getter: a literal's getter gives each request a hidden class
 * of its own, which lives in the old generation and keeps everything the getter's scope holds alive through
 * young-generation GCs (~1 MB promoted per scavenge at 2000 req/s, and the pauses were the p99 at concurrency 1).
 */
class GateRequest implements AdmissionRequest {
  private controller: AbortController | undefined;
  private closed = false;

  constructor(
    readonly service: Service,
    readonly model: string,
    readonly client: AdmissionRequest['client'],
    readonly countOnly: boolean,
  ) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.closed) this.controller.abort();
    }
    return this.controller.signal;
  }

  clientClosed(): void {
    this.closed = true;
    this.controller?.abort();
  }
}

/** Admits the request for its key and runs the relay; every error after this point is answered by the relay. */
export async function runRelay(deps: RelaySurfaceDeps, request: FastifyRequest, reply: FastifyReply, startedAt: number, spec: JobSpec): Promise<void> {
  const key = request.relayKey ?? (await deps.keys.authenticate(presentedKey(request.headers)));
  const service = spec.service;
  const asked = new GateRequest(service, spec.model, identifyClient(request.headers, spec.json), spec.counted === false);
  const onClose = () => asked.clientClosed();
  reply.raw.once('close', onClose);
  let admission: Awaited<ReturnType<KeyGate['admit']>>;
  try {
    admission = await deps.gate.admit(key, asked);
  } finally {
    reply.raw.off('close', onClose);
  }
  reply.hijack();
  // Field by field, not `{ ...rest }`: a rest pattern and a spread of its result cost ~15 µs per request in V8.
  const full: RelayJob = {
    endpoint: spec.endpoint,
    op: spec.op,
    query: spec.query,
    body: spec.body,
    json: spec.object ?? (() => spec.json),
    model: spec.model,
    conversation: spec.conversation,
    stream: spec.stream,
    record: spec.record,
    errors: spec.errors,
    translate: spec.translate,
    requestId: request.id,
    startedAt,
    key,
    binding: bindingOf(key, service),
    weeklyLabel: admission?.weeklyLabel ?? null,
    clientHeaders: request.headers,
    res: reply.raw,
    // Every holder of the body this surface knows of: the job, the spec (this frame keeps it), the Fastify request.
    // The surface's handler returned runRelay's promise, so its own frame holds nothing by then.
    release: () => {
      full.body = spec.body = NO_BODY;
      full.json = noJson;
      spec.json = {};
      spec.object = undefined;
      request.body = undefined;
    },
  };
  try {
    await relay(deps.relay, full);
  } catch (e) {
    // relay() answers every error itself; this is the last line of defence
    deps.log.error({ err: e, requestId: request.id }, 'relay crashed');
    sendRelayError(reply.raw, full, new RelayError('INTERNAL'));
  } finally {
    // The admission is released where it was taken, once the relay has answered (and recorded) the request.
    admission?.release();
  }
}
