// The relay's POST routes answered straight from node:http, ahead of Fastify's router, hooks and request/reply
// objects (issue P9: a raw path for the hot routes). Each is the very handler a surface registers with Fastify, run
// with the steps the route has there: the key authenticated from the headers before a body byte is read
// (`authenticateFirst`), the body read with the route's limit (`collectBody`, the surfaces' raw body parser), and any
// error before the relay answers rendered by the surface's own error handler. Only exact paths are taken (the query
// string aside), with a Content-Type of exactly `application/json` (what the SDKs and CLIs send); anything else, and
// every request once the server is closing (Fastify's 503), goes on to Fastify. `app.inject()` never comes here (it
// calls Fastify's handler directly): a test over real HTTP exercises this path, one through inject the Fastify one.
// A Fastify hook added for these routes (onRequest, onSend, …) does not run here: it belongs in `handle` as well.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { newRequestId } from '../core/ids.js';
import type { ApiKeyService } from '../keys/api-keys.js';
import { collectBody } from './request-body.js';
import { presentedKey } from './surfaces/relay-route.js';

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
type ErrorHandler = (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => void;

interface FastRoute {
  handler: Handler;
  errorHandler: ErrorHandler;
  keys: ApiKeyService;
  bodyLimit: number;
}

/** What the relay handlers and the surfaces' error handlers read of a Fastify request. */
class FastRequest {
  readonly id = newRequestId();
  readonly method = 'POST';
  body: unknown = undefined;
  relayKey: unknown = undefined;

  constructor(
    readonly raw: IncomingMessage,
    readonly url: string,
  ) {}

  get headers(): IncomingMessage['headers'] {
    return this.raw.headers;
  }
}

/** What they use of a reply: the raw response, `hijack()`, and `code().headers().send()` for an error. */
class FastReply {
  private status = 200;
  private head: Record<string, string> = {};

  constructor(readonly raw: ServerResponse) {}

  hijack(): this {
    return this;
  }

  code(status: number): this {
    this.status = status;
    return this;
  }

  headers(h: Record<string, string>): this {
    this.head = h;
    return this;
  }

  /** A string body, with the Content-Type Fastify's `reply.send` gives one (a JSON type gets its charset). */
  send(body: string): this {
    if (this.raw.headersSent) {
      if (!this.raw.writableEnded) this.raw.end();
      return this;
    }
    const type = this.head['content-type'];
    const contentType = type === undefined ? 'text/plain; charset=utf-8' : type.includes('json') && !/charset=/i.test(type) ? `${type}; charset=utf-8` : type;
    this.raw.writeHead(this.status, { ...this.head, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    this.raw.end(body);
    return this;
  }
}

export class FastRoutes {
  private readonly routes = new Map<string, FastRoute>();
  private closing = false;

  /** Takes `path` (exact, e.g. `/api/v1/messages`) on POST ahead of Fastify. */
  add(path: string, route: FastRoute): void {
    this.routes.set(path, route);
  }

  /** From now on every request goes on to Fastify (which answers 503 while it closes). */
  close(): void {
    this.closing = true;
  }

  /** Answers `req` when it is one of the routes; false when Fastify should. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    // A JSON body declared as such: Fastify's media-type checks (415) and its bodiless path are not repeated here.
    if (req.method !== 'POST' || this.closing || req.headers['content-type'] !== 'application/json') return false;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const route = this.routes.get(q === -1 ? url : url.slice(0, q));
    if (!route) return false;
    const request = new FastRequest(req, url);
    const reply = new FastReply(res);
    const f = request as unknown as FastifyRequest;
    const r = reply as unknown as FastifyReply;
    const fail = (err: unknown) => route.errorHandler(err as FastifyError, f, r);
    route.keys.authenticate(presentedKey(req.headers)).then((key) => {
      request.relayKey = key;
      collectBody(req, route.bodyLimit, (err, body) => {
        if (err) return fail(err);
        request.body = body;
        route.handler(f, r).catch(fail);
      });
    }, fail);
    return true;
  }
}
